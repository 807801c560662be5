// A regex candidate like `12 4111 1111 1111 1111 123` can swallow neighbouring numbers. Splitting
// it at separators and trying each run of whole groups finds the number inside; candidates have at
// most a handful of groups, so this stays cheap.

export interface Group {
  start: number;
  end: number;
}

export function digitGroups(candidate: string, offset: number): Group[] {
  const groups: Group[] = [];
  let i = 0;
  while (i < candidate.length) {
    while (i < candidate.length && !isDigit(candidate, i)) i++;
    const start = i;
    while (i < candidate.length && isDigit(candidate, i)) i++;
    if (i > start) groups.push({ start: offset + start, end: offset + i });
  }
  return groups;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

export interface GroupRun {
  start: number;
  end: number;
  /** Digits in the run, so callers can reject by length before slicing any text. */
  digits: number;
}

/** Contiguous runs of at most `maxGroups` groups holding `minDigits`..`maxDigits` digits, longest first. */
export function* groupRuns(groups: readonly Group[], maxGroups: number, minDigits: number, maxDigits: number): Generator<GroupRun> {
  for (let size = Math.min(groups.length, maxGroups); size >= 1; size--) {
    for (let from = 0; from + size <= groups.length; from++) {
      let digits = 0;
      for (let i = from; i < from + size; i++) digits += (groups[i] as Group).end - (groups[i] as Group).start;
      if (digits < minDigits || digits > maxDigits) continue;
      yield { start: (groups[from] as Group).start, end: (groups[from + size - 1] as Group).end, digits };
    }
  }
}
