import QRCode from "qrcode";

/** The otpauth:// URI as an SVG QR code (paths only: no inline styles for the CSP to refuse). */
export function qrCodeSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", margin: 1 });
}
