// A tiny history-API router: three screens do not need a routing library. Tabs and selections live in the query
// string (`?tab=diagram&table=orders`), so every view is a shareable link and Back works.
import { useCallback, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from "react";

export type Route =
  | { page: "experiments" }
  | { page: "experiment"; name: string }
  | { page: "query"; name: string }
  | { page: "not-found"; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "/experiments") return { page: "experiments" };
  const m = /^\/experiments\/([^/]+)(\/query)?$/.exec(path);
  if (m) {
    const name = decodeURIComponent(m[1]);
    return m[2] ? { page: "query", name } : { page: "experiment", name };
  }
  return { page: "not-found", path };
}

/** `params` become the query string (empty values are left out). */
function withQuery(path: string, params?: Record<string, string | null | undefined>): string {
  if (!params) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const paths = {
  experiments: () => "/",
  experiment: (name: string, params?: Record<string, string | null | undefined>) =>
    withQuery(`/experiments/${encodeURIComponent(name)}`, params),
  query: (name: string, params?: Record<string, string | null | undefined>) =>
    withQuery(`/experiments/${encodeURIComponent(name)}/query`, params),
};

const listeners = new Set<() => void>();

function current(): string {
  return window.location.pathname + window.location.search;
}

export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  if (!options.replace && to !== current()) window.history.pushState(options.state ?? null, "", to);
  else window.history.replaceState(options.state ?? null, "", to);
  listeners.forEach((fn) => fn());
}

function useLocation(): string {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return location;
}

export function useRoute(): Route {
  const location = useLocation();
  return parseRoute(location.split("?")[0]);
}

/** One query-string parameter as state. Setting it replaces the history entry unless `push` is asked for. */
export function useQueryParam(key: string): [string | null, (value: string | null, push?: boolean) => void] {
  const location = useLocation();
  const value = new URLSearchParams(location.split("?")[1] ?? "").get(key);
  const set = useCallback(
    (next: string | null, push = false) => {
      const params = new URLSearchParams(window.location.search);
      if (next === null || next === "") params.delete(key);
      else params.set(key, next);
      const qs = params.toString();
      const to = window.location.pathname + (qs ? `?${qs}` : "");
      if (to !== current()) navigate(to, { replace: !push });
    },
    [key],
  );
  return [value, set];
}

/** A real link (middle-click, copy address) that navigates in-app on a plain click. */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
