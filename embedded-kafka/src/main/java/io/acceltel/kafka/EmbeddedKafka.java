package io.acceltel.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Apache Kafka's own KRaft broker (combined broker and controller, one node) on loopback, with a data directory
 * that survives restarts. It is the embedded default of {@code acceltel demo} and the broker of the tests; in
 * production, acceltel points at a real Kafka cluster instead.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dataDir))) {
 *   String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:9092"
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  static {
    // Kafka logs through log4j2; keep the broker quiet unless the operator configured log4j2 explicitly.
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("org.apache.logging.log4j.level", "WARN");
    }
  }

  private final Settings settings;
  private final KafkaRaftServer server;

  private EmbeddedKafka(Settings settings, KafkaRaftServer server) {
    this.settings = settings;
    this.server = server;
  }

  /**
   * @param dataDir where the log segments and the cluster metadata live
   * @param host the address to bind; loopback unless configured otherwise
   * @param port the client port; 0 picks a free one (fixed for the life of this data directory's broker only)
   * @param partitions default partition count of auto-created topics
   * @param saslPort a second client port that takes SASL/PLAIN logins, when {@code plainUsers} is not empty, and
   *     SCRAM-SHA-256 logins of users an Admin client created; 0 picks a free one
   * @param plainUsers user name to password for that port; empty: no SASL port
   * @param tlsPort a third client port that speaks TLS, when {@code tls} is present; 0 picks a free one
   * @param tls the broker's certificate and key for that port; empty: no TLS port
   * @param advertisedPort the client port the broker names in its metadata; 0: {@code port}. Another one puts a
   *     relay between the clients and the broker (a benchmark's network delay)
   * @param aclsEnforced whether the broker authorizes with ACLs: the plain port's clients (and the broker itself)
   *     are super users, the SASL port's users may do only what an Admin client has allowed them, as on a
   *     secured production cluster
   */
  public record Settings(Path dataDir, String host, int port, int controllerPort, int partitions, int saslPort,
      Map<String, String> plainUsers, int tlsPort, Optional<Tls> tls, int advertisedPort, boolean aclsEnforced) {
    public Settings {
      plainUsers = Map.copyOf(plainUsers);
    }

    /** The settings without the passwords of the PLAIN users and the key store. */
    @Override
    public String toString() {
      return "Settings[dataDir=" + dataDir + ", host=" + host + ", port=" + port + ", controllerPort="
          + controllerPort + ", partitions=" + partitions + ", saslPort=" + saslPort + ", plainUsers="
          + plainUsers.keySet() + ", tlsPort=" + tlsPort + ", tls=" + tls.map(t -> t.pkcs12().toString())
          + ", advertisedPort=" + advertisedPort + ", aclsEnforced=" + aclsEnforced + "]";
    }

    public static Settings of(Path dataDir) {
      return new Settings(dataDir, "127.0.0.1", 0, 0, 4, 0, Map.of(), 0, Optional.empty(), 0, false);
    }

    public Settings withHost(String host) {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, plainUsers, tlsPort, tls,
          advertisedPort, aclsEnforced);
    }

    public Settings withPort(int port) {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, plainUsers, tlsPort, tls,
          advertisedPort, aclsEnforced);
    }

    public Settings withPartitions(int partitions) {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, plainUsers, tlsPort, tls,
          advertisedPort, aclsEnforced);
    }

    /** Adds a SASL_PLAINTEXT port with these PLAIN users, for clients that must log in (tests of SASL clients). */
    public Settings withSaslPlainUsers(Map<String, String> users) {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, users, tlsPort, tls,
          advertisedPort, aclsEnforced);
    }

    /** Adds an SSL port serving this certificate (tests of TLS clients). */
    public Settings withTls(Tls tls) {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, plainUsers, tlsPort,
          Optional.of(tls), advertisedPort, aclsEnforced);
    }

    public Settings withAdvertisedPort(int advertisedPort) {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, plainUsers, tlsPort, tls,
          advertisedPort, aclsEnforced);
    }

    /** Authorizes with ACLs (see {@code aclsEnforced}); tests of clients the cluster refuses, then allows. */
    public Settings withAclsEnforced() {
      return new Settings(dataDir, host, port, controllerPort, partitions, saslPort, plainUsers, tlsPort, tls,
          advertisedPort, true);
    }
  }

  /**
   * A PKCS#12 key store holding the broker's private key and certificate, and its password.
   *
   * @param clientCa when present, clients must present a certificate signed by one in this PEM file (mTLS)
   */
  public record Tls(Path pkcs12, String password, Optional<Path> clientCa) {
    public Tls(Path pkcs12, String password) {
      this(pkcs12, password, Optional.empty());
    }

    public Tls requiringClientCertificates(Path clientCa) {
      return new Tls(pkcs12, password, Optional.of(clientCa));
    }
  }

  /** Formats the data directory on first use, then starts the broker and waits until it serves requests. */
  public static EmbeddedKafka start(Settings requested) {
    // Free ports are taken all at once, each socket held until the last is bound: one at a time, the kernel may hand
    // the same just-released port out twice, and the broker then refuses two listeners on one port.
    Iterator<Integer> free = freePorts(requested.host(), 4).iterator();
    Settings settings = new Settings(requested.dataDir(), requested.host(),
        requested.port() == 0 ? free.next() : requested.port(),
        requested.controllerPort() == 0 ? free.next() : requested.controllerPort(),
        requested.partitions(),
        requested.saslPort() == 0 && !requested.plainUsers().isEmpty() ? free.next() : requested.saslPort(),
        requested.plainUsers(),
        requested.tlsPort() == 0 && requested.tls().isPresent() ? free.next() : requested.tlsPort(),
        requested.tls(), requested.advertisedPort(), requested.aclsEnforced());
    Properties props = properties(settings);
    Path logDir = settings.dataDir().resolve("log");
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(props, settings.dataDir());
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(settings, server);
  }

  private static Properties properties(Settings s) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + s.host() + ":" + s.controllerPort());
    String sasl = s.plainUsers().isEmpty() ? "" : ",SASL_PLAINTEXT://" + s.host() + ":" + s.saslPort();
    String tls = s.tls().isEmpty() ? "" : ",SSL://" + s.host() + ":" + s.tlsPort();
    p.put("listeners", "PLAINTEXT://" + s.host() + ":" + s.port() + ",CONTROLLER://" + s.host() + ":"
        + s.controllerPort() + sasl + tls);
    int advertised = s.advertisedPort() == 0 ? s.port() : s.advertisedPort();
    p.put("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + advertised + sasl + tls);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        + (sasl.isEmpty() ? "" : ",SASL_PLAINTEXT:SASL_PLAINTEXT") + (tls.isEmpty() ? "" : ",SSL:SSL"));
    s.tls().ifPresent(t -> {
      p.put("listener.name.ssl.ssl.keystore.type", "PKCS12");
      p.put("listener.name.ssl.ssl.keystore.location", t.pkcs12().toString());
      p.put("listener.name.ssl.ssl.keystore.password", t.password());
      p.put("listener.name.ssl.ssl.key.password", t.password());
      t.clientCa().ifPresent(ca -> {
        p.put("listener.name.ssl.ssl.client.auth", "required");
        p.put("listener.name.ssl.ssl.truststore.type", "PEM");
        p.put("listener.name.ssl.ssl.truststore.location", ca.toString());
      });
    });
    if (!sasl.isEmpty()) {
      StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
      s.plainUsers().forEach((user, password) -> jaas.append(" user_").append(user).append("=\"")
          .append(password.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
      // SCRAM users are not configured here: like on a real cluster, an Admin client creates their credentials
      // (alterUserScramCredentials), so a test can also add one while a client keeps failing to log in.
      p.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
      p.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
      p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
      p.put("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    p.put("inter.broker.listener.name", "PLAINTEXT");
    if (s.aclsEnforced()) {
      p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      // The broker and controller talk over the plain listeners, as ANONYMOUS: they must stay allowed everything.
      p.put("super.users", "User:ANONYMOUS");
    }
    p.put("log.dirs", s.dataDir().resolve("log").toString());
    p.put("num.partitions", Integer.toString(s.partitions()));
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "true");
    // A single node on a laptop or CI box: keep memory and file handles modest.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    return p;
  }

  private static void format(Properties props, Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Path config = dataDir.resolve("server.properties");
      try (var out = Files.newOutputStream(config)) {
        props.store(out, "acceltel embedded Kafka broker");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
          config.toString()}, new PrintStream(output, true, StandardCharsets.UTF_8));
      if (rc != 0) {
        throw new IllegalStateException("formatting the Kafka data directory " + dataDir + " failed: "
            + output.toString(StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka data directory " + dataDir, e);
    }
  }

  /** {@code n} distinct free ports: every socket stays bound until all are, then all are released. */
  private static List<Integer> freePorts(String host, int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(host, 0));
        ports.add(socket.getLocalPort());
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port was only reserved for a moment; nothing else holds it
        }
      }
    }
  }

  public String bootstrapServers() {
    return settings.host() + ":" + settings.port();
  }

  /** The SSL port's address, for clients that trust the broker's certificate. */
  public String tlsBootstrapServers() {
    if (settings.tls().isEmpty()) {
      throw new IllegalStateException("this broker has no TLS port: start it with Settings.withTls");
    }
    return settings.host() + ":" + settings.tlsPort();
  }

  /** The SASL_PLAINTEXT port's address, for clients that log in with one of the PLAIN users. */
  public String saslBootstrapServers() {
    if (settings.plainUsers().isEmpty()) {
      throw new IllegalStateException("this broker has no SASL port: start it with Settings.withSaslPlainUsers");
    }
    return settings.host() + ":" + settings.saslPort();
  }

  /** The settings it runs with, ports resolved: start it again with these to restart on the same ports. */
  public Settings settings() {
    return settings;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
