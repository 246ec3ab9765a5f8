// What a knob-built handler remembers between requests (a fault budget, a challenge counter, a
// denial count) has to outlive World.reconfigure, which rebuilds every handler. The rule: memory
// is kept while its knob keeps the same value, and starts afresh when the knob changes. So
// reconfiguring with unchanged knobs changes nothing, and a changed knob means "from now on".

export class KnobMemory {
  private readonly slots = new Map<string, { knob: string; memory: unknown }>();

  /** The memory kept under `name` for this knob value, or a fresh one from `fresh()`. */
  keep<T>(name: string, knobValue: unknown, fresh: () => T): T {
    // Knobs are plain data, so their JSON is their identity.
    const knob = JSON.stringify(knobValue ?? null);
    const slot = this.slots.get(name);
    if (slot && slot.knob === knob) return slot.memory as T;
    const memory = fresh();
    this.slots.set(name, { knob, memory });
    return memory;
  }
}
