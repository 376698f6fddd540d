package org.ccpresence.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies each bearer token once: desktops and consoles send the same token with every request, and an RSA signature
 * check costs more than the rest of a setPresence call. Verified tokens are kept by the SHA-256 of their text, at most
 * {@code presence.security.token-cache-size}, each no longer than until its {@code exp}; a hit is checked against the
 * clock again. Anything that fails verification (wrong key, issuer, expired, malformed) is never cached, so it fails
 * exactly as without the cache. Replaces smallrye-jwt's parser for HTTP and the WebSocket transport alike.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache extends DefaultJWTParser {

    /** For tokens without exp (which the default settings refuse anyway). */
    private static final Duration NO_EXPIRY_LIMIT = Duration.ofMinutes(5);

    private final Cache<String, JsonWebToken> verified;

    VerifiedTokenCache(@ConfigProperty(name = "presence.security.token-cache-size", defaultValue = "20000") long size) {
        verified = Caffeine.newBuilder().maximumSize(size).expireAfter(Expiry.<String, JsonWebToken>creating(
                (key, jwt) -> jwt.getExpirationTime() > 0
                        ? Duration.between(Instant.now(), Instant.ofEpochSecond(jwt.getExpirationTime()))
                        : NO_EXPIRY_LIMIT))
                .build();
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        String key = sha256(token);
        JsonWebToken known = verified.getIfPresent(key);
        if (known != null && (known.getExpirationTime() <= 0 || Instant.now().getEpochSecond() < known.getExpirationTime())) {
            return known;
        }
        JsonWebToken jwt = super.parse(token);
        verified.put(key, jwt);
        return jwt;
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
