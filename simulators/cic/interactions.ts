import { queueKey, queueTypes, type InteractionEvent, type InteractionSnapshot } from './events';
import type { DirectoryStore } from './store';
import { icwsDate } from './user-record';

export type InteractionType = 'call' | 'chat' | 'email';
export type InteractionStage = 'offering' | 'alerting' | 'connected' | 'held' | 'disconnected' | 'removed';

export interface StartInteraction {
  type: InteractionType;
  direction?: 'inbound' | 'outbound';
  /** The agent it reaches. Without a workgroup it is on the user's queue from the start. */
  userId?: string;
  /** An ACD interaction waits on the workgroup queue until it alerts an agent. */
  workgroup?: string;
  remoteName?: string;
  remoteAddress?: string;
}

export interface AdvanceOptions {
  to?: InteractionStage;
  /** Who ends it: `remote` gives Eic_State 'E', `agent` gives 'I'. */
  disconnectedBy?: 'remote' | 'agent';
}

/** Thrown when an interaction id is unknown or a stage cannot follow the current one. */
export class InteractionError extends Error {
  override name = 'InteractionError';
  constructor(
    message: string,
    readonly code: 'notFound' | 'invalid',
  ) {
    super(message);
  }
}

interface Interaction {
  id: string;
  type: InteractionType;
  userId?: string;
  workgroup?: string;
  stage: InteractionStage;
  attributes: Record<string, string>;
  queues: string[];
  connectedAt?: number;
  timer?: NodeJS.Timeout;
}

/** Eic_State letters (see README): disconnected is 'E' (remote) or 'I' (agent), as ICWS clients test them. */
const stateLetter: Record<Exclude<InteractionStage, 'removed' | 'disconnected'>, [string, string]> = {
  offering: ['O', 'Offering'],
  alerting: ['A', 'Alerting'],
  connected: ['C', 'Connected'],
  held: ['H', 'Held'],
};

const objectTypes: Record<InteractionType, string> = { call: 'Call', chat: 'Chat', email: 'Email' };

const allowed: Record<InteractionStage, InteractionStage[]> = {
  offering: ['alerting', 'connected', 'disconnected'],
  alerting: ['connected', 'disconnected'],
  connected: ['held', 'disconnected'],
  held: ['connected', 'disconnected'],
  disconnected: ['removed'],
  removed: [],
};

/**
 * Interactions of the simulated CIC server, shared by both servers of the pair. Each step changes attributes
 * and queue membership and is announced as one event; connecting and ending a call also flips the agent's
 * `onPhone` flag, as a real server reports it in the user's status.
 */
export class InteractionStore {
  private readonly interactions = new Map<string, Interaction>();
  private readonly listeners = new Set<(event: InteractionEvent) => void>();
  private nextId = 1_000_000_001;

  constructor(private readonly directory: DirectoryStore) {}

  on(listener: (event: InteractionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): (InteractionSnapshot & { stage: InteractionStage })[] {
    return [...this.interactions.values()].map((i) => ({ ...snapshot(i), stage: i.stage }));
  }

  get(id: string): (InteractionSnapshot & { stage: InteractionStage }) | undefined {
    const interaction = this.interactions.get(id);
    return interaction && { ...snapshot(interaction), stage: interaction.stage };
  }

  /** Snapshots of every interaction on one of the given queues. */
  onQueues(keys: Set<string>): InteractionSnapshot[] {
    return [...this.interactions.values()].filter((i) => i.queues.some((q) => keys.has(q))).map(snapshot);
  }

  start(opts: StartInteraction): InteractionSnapshot {
    if (!opts.userId && !opts.workgroup)
      throw new InteractionError('An interaction needs a userId or a workgroup', 'invalid');
    if (opts.userId && !this.directory.get(opts.userId))
      throw new InteractionError(`User ${opts.userId} does not exist`, 'invalid');
    const id = String(this.nextId++);
    const now = icwsDate(new Date());
    const remoteName = opts.remoteName ?? (opts.type === 'email' ? 'Pat Customer' : 'Alex Caller');
    const remoteAddress =
      opts.remoteAddress ??
      (opts.type === 'call'
        ? '+13175550142'
        : opts.type === 'email'
          ? 'pat.customer@example.org'
          : remoteName);
    const attributes: Record<string, string> = {
      Eic_ObjectType: objectTypes[opts.type],
      Eic_CallDirection: opts.direction === 'outbound' ? 'O' : 'I',
      Eic_CallType: 'E',
      Eic_RemoteName: remoteName,
      Eic_RemoteAddress: remoteAddress,
      Eic_RemoteId: remoteAddress,
      Eic_InitiationTime: now,
      Eic_ConnectDurationTime: '0',
    };
    if (opts.type === 'call') Object.assign(attributes, { Eic_CallId: id, Eic_RemoteTn: remoteAddress });
    if (opts.workgroup) attributes.Eic_WorkgroupName = opts.workgroup;
    const interaction: Interaction = {
      id,
      type: opts.type,
      userId: opts.userId,
      workgroup: opts.workgroup,
      stage: 'offering',
      attributes,
      queues: [],
    };
    if (opts.workgroup) interaction.queues.push(queueKey(queueTypes.workgroup, opts.workgroup));
    else this.assignUser(interaction);
    this.setStage(interaction, 'offering');
    this.interactions.set(id, interaction);
    this.emit({ kind: 'interaction', after: snapshot(interaction) });
    return snapshot(interaction);
  }

  /** Moves to `to`, or to the natural next stage: offering → alerting → connected → disconnected → removed. */
  advance(id: string, opts: AdvanceOptions = {}): InteractionStage {
    const interaction = this.interactions.get(id);
    if (!interaction) throw new InteractionError(`Interaction ${id} does not exist`, 'notFound');
    const to = opts.to ?? naturalNext(interaction);
    if (!allowed[interaction.stage].includes(to)) {
      throw new InteractionError(`Interaction ${id} cannot go from ${interaction.stage} to ${to}`, 'invalid');
    }
    if ((to === 'alerting' || to === 'connected') && !interaction.userId) {
      throw new InteractionError(`Interaction ${id} has no agent to reach`, 'invalid');
    }
    const before = snapshot(interaction);
    if (to === 'removed') {
      clearTimeout(interaction.timer);
      this.interactions.delete(id);
      interaction.queues = [];
      interaction.stage = 'removed';
      this.emit({ kind: 'interaction', before });
      return 'removed';
    }
    if (to === 'alerting' || (to === 'connected' && interaction.stage === 'offering'))
      this.assignUser(interaction);
    this.setStage(interaction, to, opts.disconnectedBy);
    this.emit({ kind: 'interaction', before, after: snapshot(interaction) });
    return to;
  }

  /** Steps through the whole lifecycle, one stage every `stepMs`, until the interaction leaves its queues. */
  run(id: string, stepMs: number): void {
    const interaction = this.interactions.get(id);
    if (!interaction) throw new InteractionError(`Interaction ${id} does not exist`, 'notFound');
    clearTimeout(interaction.timer);
    const step = () => {
      if (!this.interactions.has(id)) return;
      if (this.advance(id) !== 'removed') {
        interaction.timer = setTimeout(step, stepMs);
        interaction.timer.unref();
      }
    };
    interaction.timer = setTimeout(step, stepMs);
    interaction.timer.unref();
  }

  stopAll(): void {
    for (const interaction of this.interactions.values()) clearTimeout(interaction.timer);
  }

  private assignUser(interaction: Interaction): void {
    if (!interaction.userId) return;
    const key = queueKey(queueTypes.user, interaction.userId);
    if (!interaction.queues.includes(key)) interaction.queues.push(key);
    interaction.attributes.Eic_UserName =
      this.directory.get(interaction.userId)?.configurationId.id ?? interaction.userId;
  }

  private setStage(
    interaction: Interaction,
    stage: Exclude<InteractionStage, 'removed'>,
    by: 'remote' | 'agent' = 'remote',
  ): void {
    const wasOnPhone = interaction.stage === 'connected' || interaction.stage === 'held';
    interaction.stage = stage;
    const attrs = interaction.attributes;
    if (stage === 'disconnected') {
      attrs.Eic_State = by === 'agent' ? 'I' : 'E';
      attrs.Eic_CallStateString = 'Disconnected';
      attrs.Eic_TerminationTime = icwsDate(new Date());
      if (interaction.connectedAt !== undefined) {
        attrs.Eic_ConnectDurationTime = String(Math.round((Date.now() - interaction.connectedAt) / 1000));
      }
    } else {
      [attrs.Eic_State, attrs.Eic_CallStateString] = stateLetter[stage];
      if (stage === 'connected') interaction.connectedAt ??= Date.now();
    }
    const onPhone = stage === 'connected' || stage === 'held';
    if (
      interaction.type === 'call' &&
      interaction.userId &&
      onPhone !== wasOnPhone &&
      this.directory.get(interaction.userId)
    ) {
      this.directory.setStatus(interaction.userId, { onPhone });
    }
  }

  private emit(event: InteractionEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function naturalNext(interaction: Interaction): InteractionStage {
  switch (interaction.stage) {
    case 'offering':
      return interaction.userId ? 'alerting' : 'disconnected';
    case 'alerting':
    case 'held':
      return 'connected';
    case 'connected':
      return 'disconnected';
    default:
      return 'removed';
  }
}

function snapshot(interaction: Interaction): InteractionSnapshot {
  return { id: interaction.id, attributes: { ...interaction.attributes }, queues: [...interaction.queues] };
}
