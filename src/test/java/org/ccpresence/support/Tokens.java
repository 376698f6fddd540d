package org.ccpresence.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;

/**
 * The tests' own identity provider: an RSA key pair made for the test run (public key under target/, where the
 * service under test is told to find it) and tokens signed with it.
 */
public final class Tokens {

    public static final String ISSUER = "https://presence.test/issuer";
    public static final String ADMIN = "presence-admin";
    public static final String SUPERVISOR = "supervisor";
    public static final String AGENT = "agent";

    private static final Path DIR = Path.of("target", "test-keys").toAbsolutePath();
    private static PrivateKey signingKey;
    private static PrivateKey strangerKey;

    private Tokens() {
    }

    /** Where the verifying public key is; creates the key pair on first use. */
    public static synchronized Path publicKeyLocation() {
        try {
            Path pub = DIR.resolve("publicKey.pem");
            Path priv = DIR.resolve("privateKey.pem");
            if (!Files.exists(pub) || !Files.exists(priv)) {
                Files.createDirectories(DIR);
                KeyPair pair = rsa();
                Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            }
            return pub;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the test key pair", e);
        }
    }

    public static String admin() {
        return token("test-admin", Set.of(ADMIN), ISSUER, 3600, key());
    }

    public static String supervisor() {
        return token("test-supervisor", Set.of(SUPERVISOR), ISSUER, 3600, key());
    }

    /**
     * A token of an agent whose agent record has userId = subject. Like every token made here, its {@code upn} and
     * {@code preferred_username} differ from its {@code sub}, as real identity providers' do, so that every test
     * checks that the caller is identified by {@code sub}.
     */
    public static String agent(String subject) {
        return token(subject, Set.of(AGENT), ISSUER, 3600, key());
    }

    public static String withRoles(String subject, Set<String> roles) {
        return token(subject, roles, ISSUER, 3600, key());
    }

    public static String expiring(String subject, Set<String> roles, long secondsLeft) {
        return token(subject, roles, ISSUER, secondsLeft, key());
    }

    public static String expired() {
        return token("test-admin", Set.of(ADMIN), ISSUER, -3600, key());
    }

    public static String wrongIssuer() {
        return token("test-admin", Set.of(ADMIN), "https://elsewhere.example/issuer", 3600, key());
    }

    /** A token whose upn and preferred_username are chosen by its bearer (e.g. another agent's userId). */
    public static String withClaimedNames(String subject, Set<String> roles, String upn, String preferredUsername) {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER).subject(subject).upn(upn).preferredUserName(preferredUsername).groups(roles)
                .issuedAt(now).expiresAt(now.plusSeconds(3600)).sign(key());
    }

    public static String badSignature() {
        return token("test-admin", Set.of(ADMIN), ISSUER, 3600, stranger());
    }

    private static String token(String subject, Set<String> roles, String issuer, long secondsLeft, PrivateKey key) {
        Instant now = Instant.now();
        return Jwt.issuer(issuer).subject(subject).upn(subject + "@upn.example").preferredUserName("name of " + subject)
                .groups(roles)
                .issuedAt(now.minusSeconds(secondsLeft < 0 ? 7200 : 0))
                .expiresAt(now.plusSeconds(secondsLeft))
                .sign(key);
    }

    private static synchronized PrivateKey key() {
        if (signingKey == null) {
            try {
                publicKeyLocation();
                String pem = Files.readString(DIR.resolve("privateKey.pem"))
                        .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                signingKey = java.security.KeyFactory.getInstance("RSA")
                        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return signingKey;
    }

    private static synchronized PrivateKey stranger() {
        if (strangerKey == null) {
            strangerKey = rsa().getPrivate();
        }
        return strangerKey;
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
