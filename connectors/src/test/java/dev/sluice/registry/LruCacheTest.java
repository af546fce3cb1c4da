package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link LruCache}. */
class LruCacheTest {

    @Test
    void theLeastRecentlyUsedEntryGoesFirst() {
        LruCache<Integer, String> cache = new LruCache<>(2);
        cache.put(1, "one");
        cache.put(2, "two");
        cache.get(1);

        cache.put(3, "three");

        assertThat(cache.get(2)).isNull();
        assertThat(cache.get(1)).isEqualTo("one");
        assertThat(cache.get(3)).isEqualTo("three");
    }
}
