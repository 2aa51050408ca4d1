import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "@/app";
import { ensureCsrfCookie } from "@/lib/csrf";
import { initI18n } from "@/lib/i18n";
import "@/styles/index.css";

initI18n();
// Django normally sets csrftoken when serving index.html; fetch it if missing (e.g. Vite dev server).
void ensureCsrfCookie();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
