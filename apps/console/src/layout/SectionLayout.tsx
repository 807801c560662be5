import type { ReactNode } from "react";
import { NavLink } from "react-router";

/** A section of the console with its own pages listed beside them (Governance; Settings has its own). */
export function SectionLayout({ title, links, children }: { title: string; links: Array<{ to: string; label: string }>; children: ReactNode }) {
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label={title}>
        <p className="settings-nav-title">{title}</p>
        <ul>
          {links.map((link) => (
            <li key={link.to}>
              <NavLink to={link.to}>{link.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-page">{children}</div>
    </div>
  );
}
