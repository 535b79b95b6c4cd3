import "./WarRoomLinks.css";
import { openLink } from "../telegram.ts";
import type { Link } from "../types.ts";

/** The community's configured links (war room chat, analysis, rules…). */
export function WarRoomLinks({ links }: { links: Link[] }) {
  if (links.length === 0) return null;
  return (
    <section class="card war-room" data-testid="links">
      <h2 class="card-title">War room</h2>
      <div class="war-room-links">
        {links.map((link) => (
          <a
            key={link.url}
            class="btn war-room-link"
            href={link.url}
            target="_blank"
            rel="noopener noreferrer"
            onClick={(event) => {
              event.preventDefault();
              openLink(link.url);
            }}
          >
            {link.title} <span aria-hidden="true">↗</span>
          </a>
        ))}
      </div>
    </section>
  );
}
