const WORDS: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
};

export function statusInWords(status: string): string {
  return WORDS[status] ?? status;
}

export function attemptsInWords(used: number, left: number | 'unlimited'): string {
  return `Attempts used: ${used}; left: ${left === 'unlimited' ? 'unlimited' : left}`;
}

export function pointsInWords(n: number): string {
  return n === 1 ? '1 point' : `${n} points`;
}
