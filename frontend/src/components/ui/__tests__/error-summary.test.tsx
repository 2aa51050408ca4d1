import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ErrorSummary } from "@/components/ui/error-summary";
import { TextField } from "@/components/ui/fields";
import { AppProvider } from "@/app/provider";

describe("ErrorSummary", () => {
  it("renders nothing without errors", () => {
    render(
      <AppProvider>
        <ErrorSummary items={[]} />
      </AppProvider>,
    );
    expect(screen.queryByTestId("error-summary")).toBeNull();
  });

  it("receives focus and links to the fields", async () => {
    render(
      <AppProvider>
        <ErrorSummary items={[{ message: "Általános hiba" }, { field: "email", message: "Adja meg az e-mail-címét" }]} focusKey={1} />
        <TextField name="email" label="E-mail-cím" errors={["Adja meg az e-mail-címét"]} required />
      </AppProvider>,
    );
    const summary = screen.getByTestId("error-summary");
    expect(summary).toHaveFocus();
    expect(screen.getByRole("heading", { name: "Hiba történt" })).toBeInTheDocument();
    expect(screen.getByText("Általános hiba").tagName).toBe("LI");
    const link = screen.getByRole("link", { name: "Adja meg az e-mail-címét" });
    expect(link).toHaveAttribute("href", "#field-email");

    await userEvent.click(link);
    const input = screen.getByLabelText(/E-mail-cím/);
    expect(input).toHaveFocus();
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input.getAttribute("aria-describedby")).toContain("field-email-error");
    expect(input).toHaveAccessibleDescription(/Adja meg az e-mail-címét/);
  });
});

describe("TextField", () => {
  it("marks required and optional fields and links hints", () => {
    render(
      <AppProvider>
        <TextField name="a" label="Kötelező" required hint="Súgó" />
        <TextField name="b" label="Opcionális" />
      </AppProvider>,
    );
    expect(screen.getByLabelText(/Kötelező/)).toHaveAccessibleDescription("Súgó");
    expect(screen.getByText("(kötelező)")).toBeInTheDocument();
    expect(screen.getByText("(nem kötelező)")).toBeInTheDocument();
  });
});
