import { useEffect } from "react";
import { useLocation } from "react-router";

/** Each page's title names it, for tabs, history and screen readers; the h1 of the page is the source. */
export function DocumentTitle() {
  const location = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: each navigation starts watching the new page.
  useEffect(() => {
    // After the page rendered (lazy pages may render a moment later).
    const update = () => {
      const heading = document.querySelector("main h1")?.textContent?.trim();
      document.title = heading ? `${heading} · LangGuard` : "LangGuard";
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [location.pathname]);
  return null;
}
