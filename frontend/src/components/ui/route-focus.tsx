import { createContext, useMemo, useRef, type ReactNode } from "react";

interface RouteFocus {
  /** True once per navigation (never for the initial page load). */
  shouldFocus: (locationKey: string) => boolean;
}

export const RouteFocusContext = createContext<RouteFocus>({ shouldFocus: () => false });

export function RouteFocusProvider({ initialKey, children }: { initialKey: string; children: ReactNode }) {
  const handled = useRef<string>(initialKey);
  const value = useMemo<RouteFocus>(
    () => ({
      shouldFocus: (key) => {
        if (handled.current === key) return false;
        handled.current = key;
        return true;
      },
    }),
    [],
  );
  return <RouteFocusContext.Provider value={value}>{children}</RouteFocusContext.Provider>;
}
