import { forwardRef, type ButtonHTMLAttributes } from "react";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const VARIANTS: Record<Variant, string> = {
  primary:
    "bg-brand-700 text-white hover:bg-brand-800 dark:bg-brand-300 dark:text-brand-950 dark:hover:bg-brand-200",
  secondary: "border border-line bg-surface-raised text-ink hover:bg-surface-sunken",
  danger: "bg-red-700 text-white hover:bg-red-800 dark:bg-red-300 dark:text-red-950",
  ghost: "text-ink hover:bg-surface-sunken",
};

export function buttonClasses(variant: Variant = "primary", extra = ""): string {
  // A control means nothing on paper: buttons, and links that look like one, are not printed.
  return `inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2 text-sm font-semibold transition-colors disabled:cursor-not-allowed disabled:opacity-60 print:hidden ${VARIANTS[variant]} ${extra}`;
}

export const Button = forwardRef<
  HTMLButtonElement,
  ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }
>(function Button({ variant = "primary", className = "", type = "button", ...props }, ref) {
  return <button ref={ref} type={type} className={buttonClasses(variant, className)} {...props} />;
});
