import { useTranslation } from "react-i18next";
import { Link, NavLink, useNavigate } from "react-router";
import { useLogout, useSession } from "@/lib/auth";
import { LanguageSwitch } from "./language-switch";

function Logo() {
  return (
    <svg className="site-logo__mark" viewBox="0 0 32 32" width="36" height="36" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="6" fill="currentColor" />
      <path d="M4 24 L12 12 L17 19 L21 14 L28 24 Z" fill="#00594f" />
    </svg>
  );
}

export function Header({ onLoggedOut }: { onLoggedOut: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const logout = useLogout();
  const navigate = useNavigate();

  const handleLogout = () => {
    logout.mutate(undefined, {
      onSettled: () => {
        onLoggedOut();
        navigate("/");
      },
    });
  };

  return (
    <header className="site-header">
      <div className="site-header__top container">
        <Link to="/" className="site-logo">
          <Logo />
          <span className="site-logo__text">
            <span className="site-logo__name">{t("common.appName")}</span>
            <span className="site-logo__sub">{t("common.municipality")}</span>
          </span>
        </Link>
        <LanguageSwitch />
      </div>
      <nav className="site-nav" aria-label={t("layout.mainNav")}>
        <div className="container site-nav__inner">
          <ul className="site-nav__list">
            <li>
              <NavLink to="/" end className="site-nav__link">
                {t("layout.home")}
              </NavLink>
            </li>
            {session.isAuthenticated ? (
              <>
                <li>
                  <NavLink to="/cases" className="site-nav__link">
                    {t("layout.cases")}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/profile" className="site-nav__link">
                    {t("layout.profile")}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/identification" className="site-nav__link">
                    {t("layout.identification")}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/account/email" className="site-nav__link">
                    {t("layout.account")}
                  </NavLink>
                </li>
              </>
            ) : null}
          </ul>
          <div className="site-nav__auth">
            {session.isAuthenticated ? (
              <>
                <span className="site-nav__user">
                  {t("layout.loggedInAs", { name: session.user?.email ?? session.user?.display ?? "" })}
                </span>
                <button type="button" className="site-nav__button" onClick={handleLogout} disabled={logout.isPending}>
                  {logout.isPending ? t("layout.loggingOut") : t("layout.logout")}
                </button>
              </>
            ) : session.isPending ? null : (
              <>
                <NavLink to="/account/login" className="site-nav__link">
                  {t("layout.login")}
                </NavLink>
                <NavLink to="/account/signup" className="site-nav__link site-nav__link--cta">
                  {t("layout.signup")}
                </NavLink>
              </>
            )}
          </div>
        </div>
      </nav>
    </header>
  );
}
