import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "@/components/ui/misc";
import { loginPath, useSession } from "@/lib/auth";
import { applyPath } from "../lib/services";
import type { CmsServicePage } from "../types";
import { RichText } from "./rich-text";
import { StreamField } from "./stream-field";

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="service-page__section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const hasText = (value: string | undefined): value is string => !!value && value.trim() !== "";

/** A cms.ServicePage: what the e-service is, the online application button, then the details in sections. */
export function ServicePage({ page }: { page: CmsServicePage }) {
  const { t } = useTranslation();
  const session = useSession();
  const target = applyPath(page.service_code);
  // Signed-out residents go through the login page and come back to the wizard.
  const applyHref = target && !session.isAuthenticated && !session.isPending ? loginPath(target) : target;

  return (
    <article className="service-page">
      <PageHeading>{page.title}</PageHeading>
      {page.intro ? <p className="lead">{page.intro}</p> : null}

      {applyHref ? (
        <div className="service-page__apply">
          <Link to={applyHref} className="button button--primary button--large">
            {t("cms.service.apply")}
          </Link>
          {!session.isAuthenticated && !session.isPending ? (
            <p className="field__hint">{t("cms.service.applyLoginHint")}</p>
          ) : null}
        </div>
      ) : null}

      {hasText(page.who_can_apply) ? (
        <Section id="service-who" title={t("cms.service.whoCanApply")}>
          <RichText html={page.who_can_apply} />
        </Section>
      ) : null}
      {page.procedure?.length ? (
        <Section id="service-procedure" title={t("cms.service.procedure")}>
          <StreamField blocks={page.procedure} headingLevel={3} />
        </Section>
      ) : null}
      {hasText(page.documents_needed) ? (
        <Section id="service-documents" title={t("cms.service.documents")}>
          <RichText html={page.documents_needed} />
        </Section>
      ) : null}
      {hasText(page.deadlines) ? (
        <Section id="service-deadlines" title={t("cms.service.deadlines")}>
          <RichText html={page.deadlines} />
        </Section>
      ) : null}
      {hasText(page.fee) ? (
        <Section id="service-fee" title={t("cms.service.fee")}>
          <p>{page.fee}</p>
        </Section>
      ) : null}
      {hasText(page.legal_basis) ? (
        <Section id="service-legal" title={t("cms.service.legalBasis")}>
          <RichText html={page.legal_basis} />
        </Section>
      ) : null}

      <p>
        <Link to="/">{t("common.backHome")}</Link>
      </p>
    </article>
  );
}
