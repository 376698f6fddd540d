package org.ccpresence.graphql;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/** For batched nested fields ({@code List<@Source …>}): one result per source, in the sources' order. */
public final class Batches {

    private Batches() {
    }

    /**
     * What each source of a batch refers to (null where it refers to nothing), in the sources' order, read with one
     * call of {@code findAll} for the distinct keys (none when no source refers to anything).
     */
    public static <S, K, V> Uni<List<V>> referenced(List<S> sources, Function<S, K> key, Function<List<K>, Uni<List<V>>> findAll,
            Function<V, K> id) {
        List<K> keys = sources.stream().map(key).filter(java.util.Objects::nonNull).distinct().toList();
        if (keys.isEmpty()) {
            return Uni.createFrom().item(sources.stream().map(source -> (V) null).toList());
        }
        return findAll.apply(keys).map(found -> inOrder(sources, key, found, id));
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
