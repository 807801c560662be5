import { Link } from "react-router";

/** Unknown paths, and ids that are not the organization's: the same page, saying no more than that. */
export function NotFoundPage() {
  return (
    <div className="not-found">
      <h1>Page not found</h1>
      <p>There is nothing here, or it belongs to an organization you are not part of.</p>
      <p>
        <Link to="/settings/integrations">Go to Integrations</Link>
      </p>
    </div>
  );
}
