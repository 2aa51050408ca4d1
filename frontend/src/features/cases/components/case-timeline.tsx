import { useTranslation } from "react-i18next";
import type { CaseDetail, CaseEvent } from "@/lib/api/types";
import { formatDay, formatTime } from "@/lib/format";
import { isCaseRunning } from "../api/get-case";

const ICON: Record<CaseEvent["kind"], string> = {
  step_done: "✓",
  step_retry: "↻",
  step_failed: "!",
  note: "•",
};

function dayOf(iso: string) {
  return new Date(iso).toDateString();
}

/** The case's events, oldest first, as an ordered list; the running step is shown last. */
export function CaseTimeline({ data }: { data: CaseDetail }) {
  const { t, i18n } = useTranslation();
  const running = isCaseRunning(data);
  return (
    <ol className="timeline" data-testid="timeline">
      {data.events.map((event, index) => {
        const previous = data.events[index - 1];
        const showDate = !previous || dayOf(previous.at) !== dayOf(event.at);
        // Retry and failure messages are technical; residents get a plain sentence instead.
        const text =
          event.kind === "step_retry"
            ? t("cases.eventRetry")
            : event.kind === "step_failed"
              ? t("cases.eventFailed")
              : event.message;
        return (
          <li key={`${event.at}-${index}`} className={`timeline__item timeline__item--${event.kind}`}>
            <span className="timeline__marker" aria-hidden="true">
              {ICON[event.kind] ?? "•"}
            </span>
            <div className="timeline__body">
              <time className="timeline__time" dateTime={event.at}>
                {showDate ? `${formatDay(event.at, i18n.language)} ` : ""}
                {formatTime(event.at, i18n.language)}
              </time>
              {/* a note (submitted, restarted) says what happened itself; a step is titled by its name */}
              <p className="timeline__title">{event.kind === "note" ? text : event.step_label}</p>
              {event.kind !== "note" && text && text !== event.step_label ? (
                <p className="timeline__text">{text}</p>
              ) : null}
            </div>
          </li>
        );
      })}
      {running ? (
        <li className="timeline__item timeline__item--current">
          <span className="timeline__marker" aria-hidden="true">
            <span className="loading__spinner" />
          </span>
          <div className="timeline__body">
            <p className="timeline__title">{t("cases.inProgress", { step: data.step_label })}</p>
            <p className="timeline__text muted">{t("cases.autoRefresh")}</p>
          </div>
        </li>
      ) : null}
    </ol>
  );
}
