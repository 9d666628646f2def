import { z } from "zod";

export const DeviceActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create-code") }),
  z.object({
    intent: z.literal("rename"),
    deviceId: z.string({ required_error: "Choose a device." }).min(1).max(64),
    name: z
      .string({ required_error: "Enter a name for the device." })
      .trim()
      .min(1, "Enter a name for the device.")
      .max(100, "Device names are at most 100 characters."),
  }),
  z.object({
    intent: z.literal("revoke"),
    deviceId: z.string({ required_error: "Choose a device." }).min(1).max(64),
  }),
]);
