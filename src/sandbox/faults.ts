/** One injected failure. Rules are tried in order and the first that matches a request wins. */
export interface FaultRule {
  /**
   * Apply only to requests whose form fields contain these values; `openId` matches if the openIds list contains it;
   * `status` is sendActivity's (`'1'` a show, `'0'` a remove).
   * @defaultValue every request
   */
  match?: { title?: string; openId?: string; status?: '0' | '1' };
  /**
   * How many matching requests this rule affects. Decremented per use; exhausted rules are dropped.
   * @defaultValue every matching request, without end
   */
  times?: number;
  /** Answer with this HTTP status (and a vendor envelope with the same responseHeader.status). */
  httpStatus?: number;
  /** Answer HTTP 200 with this responseHeader.status and msg. */
  headerStatus?: number;
  /**
   * The envelope's msg for httpStatus/headerStatus/responseFalse answers.
   * @defaultValue a text naming the fault
   */
  msg?: string;
  /** Adds a Retry-After header (seconds) to whatever this request is answered with. */
  retryAfterSeconds?: number;
  /** HTTP 200, status 200, response:false. */
  responseFalse?: boolean;
  /** Delay before answering (then answer normally unless another fault says otherwise). */
  latencyMs?: number;
  /** Never answer (socket kept open until the client gives up or the server closes). */
  hang?: boolean;
  /** Destroy the socket without an answer (connection reset). */
  destroy?: boolean;
}

/** The fields a rule can match on, from the decoded form body. */
export type FormFields = Readonly<Record<string, string>>;

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'destroy' }
  | { kind: 'answer'; httpStatus: number; status: number; msg: string; response: false };

export interface FaultPlan {
  /** Wait this long before acting (or before answering normally when the action is `none`). */
  delayMs: number;
  action: FaultAction;
  retryAfterSeconds?: number;
}

const NONE: FaultAction = { kind: 'none' };

export function matchesRule(rule: FaultRule, fields: FormFields): boolean {
  const match = rule.match;
  if (match === undefined) return true;
  if (match.title !== undefined && fields.title !== match.title) return false;
  if (match.status !== undefined && fields.status !== match.status) return false;
  if (match.openId !== undefined) {
    const openIds = fields.openIds;
    if (openIds === undefined || !openIds.split(',').includes(match.openId)) return false;
  }
  return true;
}

/**
 * Find the first rule matching `fields` and use it once. Returns the rule list to keep: the same array
 * when nothing was consumed (the common case under load), otherwise a copy with `times` decremented
 * and exhausted rules dropped, so callers' rule objects are never mutated.
 */
export function takeFault(
  rules: readonly FaultRule[],
  fields: FormFields,
): { rule: FaultRule | undefined; rules: readonly FaultRule[] } {
  const index = rules.findIndex((r) => (r.times === undefined || r.times > 0) && matchesRule(r, fields));
  if (index === -1) return { rule: undefined, rules };
  const rule = rules[index] as FaultRule;
  if (rule.times === undefined) return { rule, rules };
  const left = rule.times - 1;
  const next = left > 0 ? rules.map((r, i) => (i === index ? { ...r, times: left } : r)) : rules.filter((_, i) => i !== index);
  return { rule, rules: next };
}

/**
 * What to do with a request, given the rule that matched (if any) and whether the random failureRate
 * fired. Within one rule the most drastic fault wins: destroy, hang, httpStatus, headerStatus,
 * responseFalse; latency always comes first, so "slow, then reset" can be expressed.
 */
export function planFault(rule: FaultRule | undefined, failureRateHit: boolean, baseLatencyMs = 0): FaultPlan {
  const delayMs = baseLatencyMs + (rule?.latencyMs ?? 0);
  const retry = rule?.retryAfterSeconds !== undefined ? { retryAfterSeconds: rule.retryAfterSeconds } : {};
  const action = ruleAction(rule);
  if (action.kind !== 'none' || !failureRateHit) return { delayMs, action, ...retry };
  return {
    delayMs,
    action: { kind: 'answer', httpStatus: 503, status: 503, msg: 'sandbox failureRate: service unavailable', response: false },
    ...retry,
  };
}

function ruleAction(rule: FaultRule | undefined): FaultAction {
  if (rule === undefined) return NONE;
  if (rule.destroy) return { kind: 'destroy' };
  if (rule.hang) return { kind: 'hang' };
  if (rule.httpStatus !== undefined) {
    const msg = rule.msg ?? `sandbox fault: HTTP ${rule.httpStatus}`;
    return { kind: 'answer', httpStatus: rule.httpStatus, status: rule.httpStatus, msg, response: false };
  }
  if (rule.headerStatus !== undefined) {
    const msg = rule.msg ?? `sandbox fault: status ${rule.headerStatus}`;
    return { kind: 'answer', httpStatus: 200, status: rule.headerStatus, msg, response: false };
  }
  if (rule.responseFalse) {
    return { kind: 'answer', httpStatus: 200, status: 200, msg: rule.msg ?? 'sandbox fault: notification not sent', response: false };
  }
  return NONE;
}
