import { lazy, Suspense, useEffect } from "react";
import { Skeleton } from "./components/ui";
import { ExperimentsPage } from "./pages/ExperimentsPage";
import { Link, paths, useRoute } from "./router";

// Each screen's code loads when it is first shown: the list is in the main bundle, the rest on demand.
const ExperimentPage = lazy(() => import("./pages/ExperimentPage").then((m) => ({ default: m.ExperimentPage })));
const QueryPage = lazy(() => import("./pages/QueryPage").then((m) => ({ default: m.QueryPage })));

export function App() {
  const route = useRoute();
  useEffect(() => {
    document.title =
      route.page === "experiment"
        ? `${route.name} · dw-sim`
        : route.page === "query"
          ? `Query ${route.name} · dw-sim`
          : "dw-sim";
  }, [route]);
  return (
    <>
      <a href="#content" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={paths.experiments()} className="brand" aria-label="dw-sim home">
          <span className="brand-mark" aria-hidden="true" />
          dw-sim
        </Link>
        <span className="topbar-sub">Redshift &amp; Snowflake simulator</span>
        <span className="spacer" />
        <a className="topbar-link" href="/docs">
          API docs
        </a>
      </header>
      <div id="content" tabIndex={-1}>
        {route.page === "experiments" && <ExperimentsPage />}
        <Suspense
          fallback={
            <main className="page">
              <Skeleton lines={8} />
            </main>
          }
        >
          {route.page === "experiment" && <ExperimentPage key={route.name} name={route.name} />}
          {route.page === "query" && <QueryPage key={route.name} name={route.name} />}
        </Suspense>
        {route.page === "not-found" && (
          <main className="page">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>. <Link to={paths.experiments()}>Go to the experiments</Link>.
            </p>
          </main>
        )}
      </div>
    </>
  );
}
