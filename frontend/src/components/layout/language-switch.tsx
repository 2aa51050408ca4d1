import { useTranslation } from "react-i18next";
import { LANGUAGES, type Language, currentLanguage, setLanguage } from "@/lib/i18n";

const NATIVE_NAMES: Record<Language, string> = { hu: "Magyar", en: "English" };

/** HU / EN toggle. Each button is labelled in its own language. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const active = currentLanguage();
  return (
    <div className="lang-switch" role="group" aria-label={t("layout.language")}>
      {LANGUAGES.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          className="lang-switch__button"
          aria-pressed={active === lang}
          aria-label={NATIVE_NAMES[lang]}
          onClick={() => void setLanguage(lang)}
        >
          {lang.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
