package org.ccpresence.graphql;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** For batched nested fields ({@code List<@Source …>}): one result per source, in the sources' order. */
public final class Batches {

    private Batches() {
    }

    /** The found value whose id is each source's key (null where the key is null or nothing was found). */
    public static <S, K, V> List<V> inOrder(List<S> sources, Function<S, K> key, List<V> found, Function<V, K> id) {
        Map<K, V> byId = new HashMap<>();
        found.forEach(value -> byId.put(id.apply(value), value));
        return sources.stream().map(source -> {
            K k = key.apply(source);
            return k == null ? null : byId.get(k);
        }).toList();
    }
}
