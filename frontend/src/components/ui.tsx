// Small shared pieces: dialogs, banners, badges, tabs, loading and error states.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from "react";
import { ApiError, setApiToken, type ErrorDetail, type RunStatus } from "../api/client";

const ModalClose = createContext<() => void>(() => undefined);

/** Inside a dialog: ask to close it (asks first when it holds unsaved input). */
export function useModalClose(): () => void {
  return useContext(ModalClose);
}

export function Modal({
  title,
  onClose,
  children,
  footer,
  wide = false,
  dirty = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** Unsaved input: Escape, a backdrop click or × ask before closing. */
  dirty?: boolean;
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const opener = useRef<Element | null>(null);
  const [confirming, setConfirming] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    opener.current = document.activeElement;
    const first =
      box.current?.querySelector<HTMLElement>("[data-autofocus]") ??
      box.current?.querySelector<HTMLElement>(
        "[role=tab][aria-selected=true], input:not([type=hidden]), select, textarea, [contenteditable=true]",
      );
    (first ?? box.current)?.focus();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);

  useEffect(() => {
    if (confirming) keepRef.current?.focus();
  }, [confirming]);

  const requestClose = useCallback(() => {
    if (dirty) setConfirming(true);
    else onClose();
  }, [dirty, onClose]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      if (confirming) setConfirming(false);
      else requestClose();
      return;
    }
    if (e.key !== "Tab" || !box.current) return;
    const focusable = Array.from(
      box.current.querySelectorAll<HTMLElement>(
        'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [contenteditable=true], [tabindex]:not([tabindex="-1"])',
      ),
    ).filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && requestClose()}>
      <div
        className={`modal${wide ? " modal-wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={box}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close dialog" onClick={requestClose}>
            ×
          </button>
        </header>
        {confirming && (
          <div className="confirm-discard" role="alertdialog" aria-label="Discard unsaved changes?">
            <strong>Discard unsaved changes?</strong>
            <span className="muted small">What you typed in this dialog will be lost.</span>
            <span className="spacer" />
            <button type="button" className="button button-small" ref={keepRef} onClick={() => setConfirming(false)}>
              Keep editing
            </button>
            <button type="button" className="button button-small button-danger" onClick={onClose}>
              Discard
            </button>
          </div>
        )}
        <ModalClose.Provider value={requestClose}>
          <div className="modal-body">{children}</div>
          {footer && <footer className="modal-footer">{footer}</footer>}
        </ModalClose.Provider>
      </div>
    </div>
  );
}

/** Copy `text` to the clipboard; says "Copied" for a moment. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async () => {
    try {
      await copyText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <button type="button" className="button button-small copy-button" onClick={() => void copy()} aria-label={`Copy ${label}`}>
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}</span>
    </button>
  );
}

export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      /* permission refused: fall back to a selection */
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

/** Grey blocks in the shape of what is loading. */
export function Skeleton({ lines = 3, label = "Loading…" }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label} aria-busy="true">
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

export function Banner({
  kind = "warning",
  children,
  onDismiss,
  title,
}: {
  kind?: "warning" | "error" | "info" | "success";
  children: ReactNode;
  onDismiss?: () => void;
  title?: string;
}) {
  return (
    <div className={`banner banner-${kind}`} role={kind === "error" ? "alert" : "status"}>
      <BannerIcon kind={kind} />
      <div className="banner-text">
        {title && <strong>{title} </strong>}
        {children}
      </div>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

/** Drawn, not a glyph: some systems' fonts lack the symbols. */
function BannerIcon({ kind }: { kind: "warning" | "error" | "info" | "success" }) {
  return (
    <svg className="banner-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {kind === "warning" ? (
        <>
          <path d="M8 1.5 15 14H1z" fill="currentColor" opacity="0.9" />
          <path d="M8 6v4M8 11.6v.9" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
        </>
      ) : (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" opacity="0.9" />
          {kind === "error" && <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />}
          {kind === "success" && (
            <path d="M4.8 8.3l2.2 2.2 4.2-4.6" fill="none" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
          )}
          {kind === "info" && <path d="M8 7v4.2M8 4.6v.9" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />}
        </>
      )}
    </svg>
  );
}

/** Warnings as dismissible banners; each can be closed on its own. */
export function WarningBanners({ warnings, title }: { warnings: string[]; title?: string }) {
  const [dismissed, setDismissed] = useState<Set<number>>(new Set());
  return (
    <div className="banners">
      {warnings.map((w, i) =>
        dismissed.has(i) ? null : (
          <Banner key={i} kind="warning" title={title} onDismiss={() => setDismissed(new Set(dismissed).add(i))}>
            {w}
          </Banner>
        ),
      )}
    </div>
  );
}

export function Badge({ children, tone = "neutral", title }: { children: ReactNode; tone?: string; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_TONE: Record<RunStatus, string> = {
  PENDING: "neutral",
  RUNNING: "info",
  COMPLETED: "success",
  FAILED: "danger",
  CANCELLED: "muted",
};

export function StatusBadge({ status }: { status: RunStatus | null | undefined }) {
  if (!status) return <span className="muted">never run</span>;
  return <Badge tone={STATUS_TONE[status] ?? "neutral"}>{status.toLowerCase()}</Badge>;
}

/** A badge whose tooltip (the warnings) shows on hover and on keyboard focus. The tooltip is positioned against
 * the window (fixed), so a scrolling table around the badge cannot clip it. */
export function WarningsBadge({ warnings }: { warnings: string[] }) {
  const tipId = useId();
  const [at, setAt] = useState<{ top: number; right: number } | null>(null);
  if (warnings.length === 0) return <span className="muted">—</span>;
  const show = (el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    setAt({ top: r.bottom + 6, right: Math.max(8, window.innerWidth - r.right) });
  };
  return (
    <span className="tooltip-host">
      <button
        type="button"
        className="badge badge-warning badge-button"
        aria-describedby={tipId}
        onMouseEnter={(e) => show(e.currentTarget)}
        onMouseLeave={() => setAt(null)}
        onFocus={(e) => show(e.currentTarget)}
        onBlur={() => setAt(null)}
        onKeyDown={(e) => e.key === "Escape" && setAt(null)}
      >
        ⚠ {warnings.length} {warnings.length === 1 ? "warning" : "warnings"}
      </button>
      <span
        role="tooltip"
        id={tipId}
        className={`tooltip${at ? " tooltip-open" : ""}`}
        style={at ? { top: at.top, right: at.right } : undefined}
      >
        {warnings.map((w, i) => (
          <span key={i} className="tooltip-line">
            {w}
          </span>
        ))}
      </span>
    </span>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function detailLocation(d: ErrorDetail): string {
  const parts: string[] = [];
  if (d.line) parts.push(`line ${d.line}${d.col ? `, column ${d.col}` : ""}`);
  const path = [d.table, d.column, d.field].filter(Boolean).join(" › ");
  if (path) parts.push(path);
  else if (d.loc && d.loc.length) parts.push(d.loc.join(" › "));
  return parts.join(" · ");
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="error-box" role="alert">
      <strong>{errorText(error)}</strong>
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {detailLocation(d) && <span className="error-loc">{detailLocation(d)}: </span>}
              {d.message}
            </li>
          ))}
        </ul>
      )}
      {error instanceof ApiError && error.requestId && <div className="muted small">request id {error.requestId}</div>}
      {error instanceof ApiError && error.status === 401 && <TokenForm />}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** For a server started with DW_SIM_API_TOKEN: ask for the token once, keep it for this tab, and reload. */
function TokenForm() {
  const [value, setValue] = useState("");
  const id = useId();
  return (
    <form
      className="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        setApiToken(value.trim() || null);
        window.location.reload();
      }}
    >
      <label htmlFor={id}>API token</label>
      <input id={id} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="button button-small" disabled={!value.trim()}>
        Use token
      </button>
    </form>
  );
}

export interface TabDef {
  id: string;
  label: string;
}

/** WAI-ARIA tabs: arrow keys move between tabs. */
export function Tabs({
  tabs,
  active,
  onChange,
  label,
  idPrefix,
}: {
  tabs: TabDef[];
  active: string;
  onChange: (id: string) => void;
  label: string;
  idPrefix: string;
}) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.id === active);
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    if (next >= 0) {
      e.preventDefault();
      onChange(tabs[next].id);
      refs.current[tabs[next].id]?.focus();
    }
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[t.id] = el;
          }}
          type="button"
          role="tab"
          id={`${idPrefix}-tab-${t.id}`}
          aria-selected={t.id === active}
          aria-controls={`${idPrefix}-panel-${t.id}`}
          tabIndex={t.id === active ? 0 : -1}
          className={`tab${t.id === active ? " tab-active" : ""}`}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ idPrefix, id, children }: { idPrefix: string; id: string; children: ReactNode }) {
  return (
    <div role="tabpanel" id={`${idPrefix}-panel-${id}`} aria-labelledby={`${idPrefix}-tab-${id}`} className="tab-panel">
      {children}
    </div>
  );
}
