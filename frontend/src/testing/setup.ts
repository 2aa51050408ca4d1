import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { i18n, initI18n } from "@/lib/i18n";

initI18n("hu");

// jsdom has no layout: scrolling is a no-op in unit tests
window.scrollTo = () => {};

beforeEach(async () => {
  window.localStorage.clear();
  document.cookie = "csrftoken=test-csrf-token; path=/";
  await i18n.changeLanguage("hu");
});

afterEach(() => {
  cleanup();
});
