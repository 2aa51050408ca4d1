import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Outlet, ScrollRestoration, useLocation } from "react-router";
import { Alert } from "@/components/ui/misc";
import { RouteFocusProvider } from "@/components/ui/route-focus";
import { Footer } from "./footer";
import { Header } from "./header";

export function RootLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  const [initialKey] = useState(location.key);
  const [loggedOut, setLoggedOut] = useState(false);

  useEffect(() => {
    if (location.pathname !== "/") setLoggedOut(false);
  }, [location.pathname]);

  return (
    <RouteFocusProvider initialKey={initialKey}>
      <a href="#main" className="skip-link">
        {t("layout.skipLink")}
      </a>
      <Header onLoggedOut={() => setLoggedOut(true)} />
      <main id="main" className="site-main container" tabIndex={-1}>
        {loggedOut ? (
          <Alert kind="success">{t("layout.loggedOut")}</Alert>
        ) : null}
        <Outlet />
      </main>
      <Footer />
      <ScrollRestoration />
    </RouteFocusProvider>
  );
}
