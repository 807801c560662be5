import type { ReactNode } from "react";
import { NavLink } from "react-router";
import { useSession } from "../auth/session";

/** Settings pages: their own navigation beside the page. */
export function SettingsLayout({ children }: { children: ReactNode }) {
  const { can } = useSession();
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings">
        <p className="settings-nav-title">Settings</p>
        <ul>
          <li>
            <NavLink to="/settings/integrations">Integrations</NavLink>
          </li>
          {can("admin") ? (
            <>
              <li>
                <NavLink to="/settings/users">Users</NavLink>
              </li>
              <li>
                <NavLink to="/settings/api-keys">API keys</NavLink>
              </li>
              <li>
                <NavLink to="/settings/webhooks">Webhooks</NavLink>
              </li>
            </>
          ) : null}
        </ul>
      </nav>
      <div className="settings-page">{children}</div>
    </div>
  );
}

export interface Crumb {
  label: string;
  to?: string;
}

/** The page's title, where it sits (Settings › Integrations › …), and its main actions. */
export function PageHeader({ title, crumbs, actions, children }: { title: ReactNode; crumbs?: Crumb[]; actions?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      {crumbs?.length ? (
        <nav aria-label="Breadcrumb" className="breadcrumbs">
          <ol>
            {crumbs.map((crumb) => (
              <li key={crumb.label}>
                {crumb.to ? (
                  <NavLink to={crumb.to} end>
                    {crumb.label}
                  </NavLink>
                ) : (
                  <span>{crumb.label}</span>
                )}
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      <div className="page-header-row">
        <h1>{title}</h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}
