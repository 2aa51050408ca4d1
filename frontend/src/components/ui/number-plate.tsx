/** A Hungarian number plate drawn like the real one (EU band with "H"); the text stays plain for screen readers. */
export function NumberPlate({ plate, size = "large" }: { plate: string; size?: "large" | "small" }) {
  return (
    <span className={`number-plate number-plate--${size}`}>
      <span className="number-plate__band" aria-hidden="true">
        H
      </span>
      <span className="number-plate__text">{plate}</span>
    </span>
  );
}
