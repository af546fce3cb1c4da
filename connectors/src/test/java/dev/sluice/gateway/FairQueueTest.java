package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link FairQueue}: the virtual token counter's order, weights, refunds and the lift on arrival. */
class FairQueueTest {

    /** A queued request: its tenant's share and its tokens. */
    private record Item(String id, Share share, int tokens) {}

    private static final Share HEAVY = new Share("heavy", 1);
    private static final Share LIGHT = new Share("light", 1);

    /** Serves {@code count} requests one at a time, each using every token it reserved; their ids in order. */
    private static List<String> serve(FairQueue<Item> queue, int count) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < count && !queue.isEmpty(); i++) {
            Item next = queue.poll();
            queue.reserve(next.share, next.tokens);
            queue.settle(next.share, next.tokens, next.tokens);
            order.add(next.id);
        }
        return order;
    }

    @Test
    void tenantsWaitingAtOnceAreServedInTurnWhateverTheOrderTheyArrivedIn() {
        FairQueue<Item> queue = new FairQueue<>(Item::share);
        for (int i = 0; i < 6; i++) {
            queue.add(new Item("h" + i, HEAVY, 10));
        }
        queue.add(new Item("l0", LIGHT, 10));
        queue.add(new Item("l1", LIGHT, 10));

        assertThat(serve(queue, 8)).containsExactly("h0", "l0", "h1", "l1", "h2", "h3", "h4", "h5");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void weightsSetEachTenantsShareOfTokens() {
        FairQueue<Item> queue = new FairQueue<>(Item::share);
        Share triple = new Share("triple", 3);
        for (int i = 0; i < 40; i++) {
            queue.add(new Item("t" + i, triple, 10));
            queue.add(new Item("s" + i, LIGHT, 10));
        }
        List<String> first = serve(queue, 40);

        assertThat(first.stream().filter(id -> id.startsWith("t")).count()).isEqualTo(30);
        assertThat(first.stream().filter(id -> id.startsWith("s")).count()).isEqualTo(10);
    }

    @Test
    void aTenantWithMuchInFlightWaitsBehindOneWithLittleAndOnlyServedTokensCountOnceAnswered() {
        FairQueue<Item> queue = new FairQueue<>(Item::share);
        queue.add(new Item("h0", HEAVY, 100));
        queue.add(new Item("h1", HEAVY, 100));
        queue.add(new Item("l0", LIGHT, 100));
        queue.add(new Item("l1", LIGHT, 100));
        Item h0 = queue.poll();
        queue.reserve(h0.share, h0.tokens);
        // h0 is at a server with 100 reserved: light goes next, and then again while h0 is out.
        Item l0 = queue.poll();
        assertThat(l0.id).isEqualTo("l0");
        queue.reserve(l0.share, l0.tokens);
        queue.settle(l0.share, l0.tokens, 100);
        // h0 is answered having used 10 of its 100: heavy has been served the least now.
        queue.settle(h0.share, h0.tokens, 10);

        assertThat(queue.poll().id).isEqualTo("h1");
    }

    @Test
    void aFailedCallCountsNothingAgainstItsTenant() {
        FairQueue<Item> queue = new FairQueue<>(Item::share);
        queue.add(new Item("h0", HEAVY, 100));
        Item h0 = queue.poll();
        queue.reserve(h0.share, h0.tokens);
        queue.settle(h0.share, h0.tokens, 0);
        queue.addFirst(h0);
        queue.add(new Item("l0", LIGHT, 100));

        assertThat(queue.poll().id).as("a tie: the tenant waiting longest").isEqualTo("h0");
    }

    @Test
    void aTenantReturningFromIdleGetsNoCreditForTheTimeItWasAway() {
        FairQueue<Item> queue = new FairQueue<>(Item::share);
        for (int i = 0; i < 50; i++) {
            queue.add(new Item("h" + i, HEAVY, 10));
        }
        serve(queue, 50);
        // Heavy has been served 500 tokens alone; light arrives, then heavy again: they alternate from here.
        queue.add(new Item("l0", LIGHT, 10));
        queue.add(new Item("l1", LIGHT, 10));
        queue.add(new Item("l2", LIGHT, 10));
        queue.add(new Item("h50", HEAVY, 10));
        queue.add(new Item("h51", HEAVY, 10));

        assertThat(serve(queue, 4)).containsExactly("l0", "h50", "l1", "h51");
    }

    @Test
    void removedAndDrainedRequestsLeaveTheCountsRight() {
        FairQueue<Item> queue = new FairQueue<>(Item::share);
        queue.add(new Item("h0", HEAVY, 10));
        queue.add(new Item("l0", LIGHT, 10));
        queue.addFirst(new Item("l-retry", LIGHT, 10));

        assertThat(queue.tenantsWaiting()).isEqualTo(2);
        assertThat(queue.removeIf(item -> item.id.equals("h0"))).isTrue();
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.tenantsWaiting()).isEqualTo(1);
        assertThat(queue.peek().id).isEqualTo("l-retry");
        List<String> drained = new ArrayList<>();
        queue.drainTo(item -> drained.add(item.id));

        assertThat(drained).containsExactly("l-retry", "l0");
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.tenantsWaiting()).isZero();
        assertThat(queue.poll()).isNull();
    }
}
