package dev.tendril.edge.selforg.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a node classifies each arrival of a search, so that the walk tries each branch once and ends. */
class SearchVisitsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant FORGET = T0.plusSeconds(4);

    @Test
    void aBranchThatComesBackIsExcludedAndOnlyTheAwaitedOneCountsAsBack() {
        SearchVisits v = new SearchVisits();
        SearchVisits.First first = assertInstanceOf(SearchVisits.First.class, v.arrive("s", "parent", false, FORGET));
        assertEquals(Set.of("parent"), first.visit().excluded());
        assertFalse(first.visit().upward());
        first.visit().sentDown("c1");
        assertInstanceOf(SearchVisits.Duplicate.class, v.arrive("s", "parent", false, FORGET), "a copy of the forward");
        assertInstanceOf(SearchVisits.Duplicate.class, v.arrive("s", "c2", false, FORGET), "not awaited from c2 while waiting on c1");
        SearchVisits.Returned back = assertInstanceOf(SearchVisits.Returned.class, v.arrive("s", "c1", false, FORGET));
        assertEquals(Set.of("parent", "c1"), back.visit().excluded());
        assertInstanceOf(SearchVisits.Duplicate.class, v.arrive("s", "c1", false, FORGET), "a copy of c1's return");
        back.visit().sentBack("parent");
        assertInstanceOf(SearchVisits.Duplicate.class, v.arrive("s", "parent", false, FORGET), "the sender again");
    }

    @Test
    void aDoneNodeAskedByANewNeighbourAnswersOnceThenDrops() {
        SearchVisits v = new SearchVisits();
        SearchVisits.Visit visit = ((SearchVisits.First) v.arrive("s", "sibling", false, FORGET)).visit();
        visit.sentBack("sibling");
        SearchVisits.Done done = assertInstanceOf(SearchVisits.Done.class, v.arrive("s", "parent", false, FORGET));
        assertEquals("parent", done.from());
        done.visit().sentBack("parent");
        assertInstanceOf(SearchVisits.Duplicate.class, v.arrive("s", "parent", false, FORGET), "answered once");
    }

    @Test
    void theOriginStartsClimbingAndSearchesAreForgottenAfterTheirTime() {
        SearchVisits v = new SearchVisits();
        SearchVisits.Visit origin = v.start("s", "me", FORGET);
        assertTrue(origin.upward());
        assertEquals(Set.of("me"), origin.excluded());
        assertTrue(origin.prepareOrigin());
        assertFalse(origin.prepareOrigin(), "once per search");
        v.forget(FORGET);
        assertTrue(v.knows("s"));
        v.forget(FORGET.plusMillis(1));
        assertFalse(v.knows("s"));
        assertInstanceOf(SearchVisits.First.class, v.arrive("s", "x", true, FORGET.plusSeconds(9)));
    }
}
