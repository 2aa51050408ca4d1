/** Address and date formatting now live in @/lib/format (shared with other features). */
export { formatAddress, formatDate } from "@/lib/format";
