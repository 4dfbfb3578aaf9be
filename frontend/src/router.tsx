// A tiny history-API router: three screens do not need a routing library.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from "react";

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

export const paths = {
  experiments: () => "/",
  experiment: (name: string) => `/experiments/${encodeURIComponent(name)}`,
  query: (name: string) => `/experiments/${encodeURIComponent(name)}/query`,
};

const listeners = new Set<() => void>();

export function navigate(to: string, state?: unknown): void {
  if (to !== window.location.pathname) window.history.pushState(state ?? null, "", to);
  else window.history.replaceState(state ?? null, "", to);
  listeners.forEach((fn) => fn());
}

export function useRoute(): Route {
  const [pathname, setPathname] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPathname(window.location.pathname);
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return parseRoute(pathname);
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
