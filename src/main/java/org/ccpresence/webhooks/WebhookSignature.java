package org.ccpresence.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.ccpresence.error.ApiException;

/**
 * Standard Webhooks signing: {@code v1,} + base64 of HMAC-SHA256 over {@code id.timestamp.body}, keyed with the bytes
 * the secret's base64 (after {@code whsec_}) decodes to.
 */
final class WebhookSignature {

    static final String PREFIX = "whsec_";

    private WebhookSignature() {
    }

    /** The secret, if it is whsec_ followed by the base64 of 24–64 bytes. */
    static String checkedSecret(String secret) {
        byte[] key = secret == null || !secret.startsWith(PREFIX) ? null : decode(secret);
        if (key == null || key.length < 24 || key.length > 64) {
            throw ApiException.badInput("secret must be whsec_ followed by the base64 of 24 to 64 random bytes, e.g. "
                    + "whsec_ + base64 of 32 bytes from a secure random source.");
        }
        return secret;
    }

    static String sign(String secret, String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(decode(secret), "HmacSHA256"));
            byte[] signature = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] decode(String secret) {
        try {
            return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
