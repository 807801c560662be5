export { parseFullName, quoteFullName, quotePart } from "./names.ts";
export { CatalogFilters, FILTER_LEVELS, MAX_PATTERN_LENGTH, MAX_PATTERNS_PER_LEVEL, patternError } from "./filters.ts";
