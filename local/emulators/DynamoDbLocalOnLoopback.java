import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts Amazon DynamoDB Local listening on 127.0.0.1 only. DynamoDBLocal.jar has no host option:
 * its Jetty server is built with {@code new Server(port)}, whose one connector listens on every
 * interface, so anyone on the network could read the local state table. This launcher builds the
 * server as DynamoDBLocal's own main does ({@code ServerRunner.createServerFromCommandLineArgs}),
 * sets each connector's host to 127.0.0.1 before Jetty opens the socket, and then checks the
 * bound address: if DynamoDB Local ever changes shape, it refuses to serve instead of falling back
 * to all interfaces.
 *
 * <p>Telemetry: DynamoDBLocal's main configures it after creating the server; this launcher never
 * does, so no event is sent (and local/emulators passes -disableTelemetry and DDB_LOCAL_TELEMETRY=0).
 *
 * <p>The JVM runs in a process group of its own (so a terminal's Ctrl-C reaches only the hub, which
 * then stops in order). So that it never outlives the hub, it exits when its parent process dies,
 * however the parent died (kill -9 included).
 *
 * <p>Run with Java's single-file source launcher, DynamoDBLocal.jar and its libraries on the class
 * path; arguments are DynamoDBLocal's own (-port, -dbPath, -inMemory, -sharedDb, ...).
 */
public final class DynamoDbLocalOnLoopback {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Server jetty = jettyOf(proxy);
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length == 0) fail("DynamoDB Local's Jetty server has no connector");
    for (Connector connector : connectors) {
      if (!(connector instanceof AbstractNetworkConnector network)) {
        fail("unexpected Jetty connector " + connector.getClass().getName());
        return;
      }
      network.setHost(HOST);
    }
    watchParent();
    proxy.start();
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector server)
          || !(server.getTransport() instanceof ServerSocketChannel channel)
          || !(channel.getLocalAddress() instanceof InetSocketAddress address)
          || !address.getAddress().isLoopbackAddress()) {
        proxy.stop();
        fail("DynamoDB Local did not bind to the loopback address only; refusing to serve");
      }
    }
    proxy.join();
  }

  /** DynamoDBProxyServer keeps its Jetty server in a private field; found by type, not by name. */
  private static Server jettyOf(DynamoDBProxyServer proxy) throws IllegalAccessException {
    for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
      if (Server.class.isAssignableFrom(field.getType())) {
        field.setAccessible(true);
        return (Server) field.get(proxy);
      }
    }
    fail("DynamoDBProxyServer has no Jetty server field");
    return null;
  }

  /** Exits once the process that started this JVM is gone (ProcessHandle guards against pid reuse). */
  private static void watchParent() {
    ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
    if (parent == null) return;
    Thread watchdog =
        new Thread(
            () -> {
              while (parent.isAlive()) {
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                }
              }
              System.err.println("parent process " + parent.pid() + " is gone; stopping DynamoDB Local");
              System.exit(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static void fail(String message) {
    System.err.println("DynamoDbLocalOnLoopback: " + message);
    System.exit(2);
  }
}
