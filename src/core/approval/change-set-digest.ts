/** The change-set digest the approval record binds to: the one function of src/core/change-set.ts, so both agree byte for byte. */
export { changeSetDigest } from "../change-set.js";
