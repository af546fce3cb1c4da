package dev.sluice.emulator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A prefix (radix) cache at block granularity: a prompt's leading blocks whose KV an earlier prompt left behind
 * need no prefill. Least recently used blocks are evicted beyond the capacity.
 */
public final class PrefixCache {

    private final int blockTokens;
    private final int capacityBlocks;
    private final Map<Integer, Boolean> blocks;
    private long lookups;
    private long hitTokens;
    private long promptTokens;

    public PrefixCache(int blockTokens, long capacityTokens) {
        this.blockTokens = blockTokens;
        this.capacityBlocks = (int) Math.min(Integer.MAX_VALUE, capacityTokens / blockTokens);
        this.blocks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
                return size() > capacityBlocks;
            }
        };
    }

    /** Tokens at the start of {@code prompt} already cached; records the prompt's blocks for later prompts. */
    public synchronized int lookupAndInsert(int[] prompt) {
        int cached = 0;
        boolean matching = true;
        for (int end = blockTokens; end <= prompt.length; end += blockTokens) {
            Integer key = Arrays.hashCode(Arrays.copyOf(prompt, end));
            if (matching && blocks.get(key) != null) {
                cached = end;
            } else {
                matching = false;
                blocks.put(key, Boolean.TRUE);
            }
        }
        lookups++;
        hitTokens += cached;
        promptTokens += prompt.length;
        return cached;
    }

    /** Share of prompt tokens served from the cache so far. */
    public synchronized double hitRate() {
        return promptTokens == 0 ? 0 : (double) hitTokens / promptTokens;
    }
}
