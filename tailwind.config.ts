import type { Config } from "tailwindcss";

/**
 * Lull's design tokens: the one place for colours, fonts and radii.
 * Components use these names (bg-surface, text-ink-muted, bg-brand-600…),
 * never raw hex values. Dark mode follows the operating system
 * (prefers-color-scheme) through the CSS variables in app/tailwind.css.
 */
export default {
  content: ["./app/**/*.{ts,tsx}"],
  darkMode: "media",
  theme: {
    extend: {
      colors: {
        // Calm teal: trustworthy, not alarming.
        brand: {
          50: "#effcf9",
          100: "#c9f6ec",
          200: "#93ecda",
          300: "#56dbc4",
          400: "#26c1aa",
          500: "#0fa590",
          600: "#0a8576",
          700: "#0d6a60",
          800: "#10554e",
          900: "#124741",
          950: "#032b28",
        },
        // Semantic surfaces and text, switched for dark mode by CSS variables.
        surface: {
          DEFAULT: "rgb(var(--lull-surface) / <alpha-value>)",
          raised: "rgb(var(--lull-surface-raised) / <alpha-value>)",
          sunken: "rgb(var(--lull-surface-sunken) / <alpha-value>)",
        },
        ink: {
          DEFAULT: "rgb(var(--lull-ink) / <alpha-value>)",
          muted: "rgb(var(--lull-ink-muted) / <alpha-value>)",
        },
        line: "rgb(var(--lull-line) / <alpha-value>)",
        danger: {
          DEFAULT: "rgb(var(--lull-danger) / <alpha-value>)",
          surface: "rgb(var(--lull-danger-surface) / <alpha-value>)",
        },
        success: {
          DEFAULT: "rgb(var(--lull-success) / <alpha-value>)",
          surface: "rgb(var(--lull-success-surface) / <alpha-value>)",
        },
        accent: "rgb(var(--lull-accent) / <alpha-value>)",
      },
      fontFamily: {
        sans: [
          "Inter",
          "ui-sans-serif",
          "system-ui",
          "-apple-system",
          "Segoe UI",
          "Roboto",
          "Helvetica Neue",
          "Arial",
          "sans-serif",
        ],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
      },
      borderRadius: {
        card: "0.75rem",
      },
      maxWidth: {
        page: "72rem",
      },
    },
  },
} satisfies Config;
