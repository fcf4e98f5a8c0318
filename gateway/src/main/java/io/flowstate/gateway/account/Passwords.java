package io.flowstate.gateway.account;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Password hashing with bcrypt (at.favre.lib:bcrypt; the cost is configurable). Passwords longer
 * than bcrypt's 72 bytes are pre-hashed with SHA-512 by the library instead of being cut. Hashing
 * is deliberately slow, so it runs on worker threads, never the event loop. {@link #verifyUnknown}
 * spends the same work as a real check, so a login for an unknown email takes as long as one
 * with a wrong password.
 */
final class Passwords {
  private static final BCrypt.Version VERSION = BCrypt.Version.VERSION_2B;

  private final Vertx vertx;
  private final int cost;
  private final BCrypt.Hasher hasher;
  private final BCrypt.Verifyer verifier;
  private volatile byte[] decoy;

  Passwords(Vertx vertx, int cost) {
    this.vertx = vertx;
    this.cost = cost;
    this.hasher = BCrypt.with(VERSION, new SecureRandom(), LongPasswordStrategies.hashSha512(VERSION));
    this.verifier = BCrypt.verifyer(VERSION, LongPasswordStrategies.hashSha512(VERSION));
  }

  Future<String> hash(String password) {
    return vertx.executeBlocking(() -> new String(hasher.hash(cost, bytes(password)), StandardCharsets.UTF_8), false);
  }

  Future<Boolean> verify(String password, String hash) {
    return vertx.executeBlocking(() -> verifier.verify(bytes(password), hash.getBytes(StandardCharsets.UTF_8))
        .verified, false);
  }

  /** The work of a verification against a hash that matches nothing; always false. */
  Future<Boolean> verifyUnknown(String password) {
    return vertx.executeBlocking(() -> {
      if (decoy == null) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        decoy = hasher.hash(cost, random);
      }
      verifier.verify(bytes(password), decoy);
      return false;
    }, false);
  }

  private static byte[] bytes(String password) {
    return password.getBytes(StandardCharsets.UTF_8);
  }
}
