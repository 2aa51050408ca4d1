import { useTranslation } from "react-i18next";
import type { StreamBlock } from "../types";
import { RichText } from "./rich-text";

function isNotice(block: StreamBlock): block is { type: "notice"; value: { title: string; text: string }; id: string } {
  return block.type === "notice" && typeof block.value === "object" && block.value !== null;
}

/** Renders a Wagtail StreamField body: heading, paragraph (rich text) and notice blocks.
 * `headingLevel` is the level of the block headings: 2 at the top of a page, 3 inside an h2 section. */
export function StreamField({ blocks, headingLevel = 2 }: { blocks: StreamBlock[]; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const Heading = `h${headingLevel}` as const;
  return (
    <div className="stream-field">
      {blocks.map((block) => {
        if (block.type === "heading" && typeof block.value === "string") {
          return <Heading key={block.id}>{block.value}</Heading>;
        }
        if (block.type === "paragraph" && typeof block.value === "string") {
          return <RichText key={block.id} html={block.value} />;
        }
        if (isNotice(block)) {
          return (
            <aside key={block.id} className="notice" aria-label={block.value.title || t("cms.notice")}>
              {block.value.title ? <Heading className="notice__title">{block.value.title}</Heading> : null}
              <p className="notice__text">{block.value.text}</p>
            </aside>
          );
        }
        return null;
      })}
    </div>
  );
}
