package sou.solr;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * A SolrCloud on loopback for sou's tests and for trying sou's Solr back end: Solr's own MiniSolrCloudCluster (an
 * embedded ZooKeeper and N Solr nodes in one JVM; Jetty binds 127.0.0.1 only).
 *
 * <pre>
 * java -cp 'target/classes:target/lib/*' sou.solr.MiniCluster [--nodes N] [--dir DIR] [--configset DIR]
 * </pre>
 *
 * <ul>
 *   <li>{@code --nodes N}: Solr nodes to start (default 2, at least 1).
 *   <li>{@code --dir DIR}: where the nodes keep their cores and ZooKeeper its data (default: a new temporary
 *       folder, deleted on exit; a given folder is kept).
 *   <li>{@code --configset DIR}: a Solr configset (solrconfig.xml, managed-schema.xml) uploaded to ZooKeeper
 *       under the name {@code sou}, as the official distribution's {@code bin/solr zk upconfig} does.
 * </ul>
 *
 * <p>On standard output, one line each: {@code zk HOST:PORT}, then {@code node I URL} for each node (I from 0;
 * URL such as {@code http://127.0.0.1:38211/solr}), then {@code ready}. Commands on standard input, one per line,
 * for tests of failures: {@code stop I} stops node I (answer {@code stopped I}); {@code start I} starts it again on
 * the same port with the same data (answer {@code started I URL}, once it is live); {@code quit} or the end of
 * input stops the cluster (answer {@code bye}) and exits 0. SIGTERM and SIGINT stop it too. A command it does not
 * know is answered {@code error: ...} on standard output and ignored. Solr's own log goes to standard error.
 *
 * <p>Exit status: 0 after a clean stop; 2 for bad arguments or a cluster that does not start.
 */
public final class MiniCluster {
  private MiniCluster() {}

  public static void main(String[] args) throws Exception {
    int nodes = 2;
    Path dir = null;
    Path configset = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--nodes" -> {
          nodes = parseCount(value);
          i++;
        }
        case "--dir" -> {
          dir = Path.of(need(a, value));
          i++;
        }
        case "--configset" -> {
          configset = Path.of(need(a, value));
          i++;
        }
        default -> fail("unknown argument '" + a + "' (expected --nodes N, --dir DIR, --configset DIR)");
      }
    }
    if (configset != null && !Files.isRegularFile(configset.resolve("solrconfig.xml"))) {
      fail("--configset " + configset + ": no solrconfig.xml in it");
    }
    boolean temporary = dir == null;
    if (temporary) {
      dir = Files.createTempDirectory("sou-minicluster");
    } else {
      Files.createDirectories(dir);
    }

    // The node name each node registers in ZooKeeper (solr.xml's ${host:}): the loopback address, so that the
    // URLs in the cluster state are the ones a client on this machine can reach.
    System.setProperty("host", "127.0.0.1");
    // Solr warns at start without a log folder; its log goes to standard error (log4j2.xml) in any case.
    System.setProperty("solr.log.dir", dir.toString());
    MiniSolrCloudCluster cluster;
    try {
      MiniSolrCloudCluster.Builder builder = new MiniSolrCloudCluster.Builder(nodes, dir);
      if (configset != null) {
        builder.addConfig("sou", configset);
      }
      cluster = builder.build();
    } catch (Exception e) {
      fail("the cluster did not start: " + e);
      return;
    }

    final MiniSolrCloudCluster running = cluster;
    final Path base = dir;
    Thread stopper =
        new Thread(
            () -> {
              try {
                running.shutdown();
              } catch (Exception e) {
                System.err.println("minicluster: stopping: " + e);
              }
              if (temporary) {
                deleteTree(base);
              }
            });
    Runtime.getRuntime().addShutdownHook(stopper);

    System.out.println("zk " + cluster.getZkServer().getZkAddress());
    List<JettySolrRunner> runners = cluster.getJettySolrRunners();
    for (int i = 0; i < runners.size(); i++) {
      System.out.println("node " + i + " " + runners.get(i).getBaseUrl());
    }
    System.out.println("ready");
    System.out.flush();

    // Jetty runners in their original order: stopJettySolrRunner removes a runner from the cluster's list, so
    // node numbers refer to this copy.
    JettySolrRunner[] byNumber = runners.toArray(new JettySolrRunner[0]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words.length == 1 && words[0].equals("quit")) {
        break;
      }
      if (words.length == 1 && words[0].isEmpty()) {
        continue;
      }
      try {
        if (words.length == 2 && (words[0].equals("stop") || words[0].equals("start"))) {
          int i = Integer.parseInt(words[1]);
          if (i < 0 || i >= byNumber.length) {
            System.out.println("error: no node " + i + " (0.." + (byNumber.length - 1) + ")");
          } else if (words[0].equals("stop")) {
            if (byNumber[i].isRunning()) {
              cluster.stopJettySolrRunner(byNumber[i]);
              cluster.waitForJettyToStop(byNumber[i]);
            }
            System.out.println("stopped " + i);
          } else {
            if (!byNumber[i].isRunning()) {
              // reusePort: the same port, so that the node keeps its name and its replicas in the cluster state.
              byNumber[i] = cluster.startJettySolrRunner(byNumber[i], true);
              cluster.waitForNode(byNumber[i], 60);
            }
            System.out.println("started " + i + " " + byNumber[i].getBaseUrl());
          }
        } else {
          System.out.println("error: unknown command '" + line.trim() + "' (stop I, start I, quit)");
        }
      } catch (NumberFormatException e) {
        System.out.println("error: not a node number: '" + words[1] + "'");
      } catch (Exception e) {
        System.out.println("error: " + line.trim() + ": " + e);
      }
      System.out.flush();
    }
    Runtime.getRuntime().removeShutdownHook(stopper);
    stopper.run();
    System.out.println("bye");
    System.out.flush();
    System.exit(0);
  }

  private static int parseCount(String value) {
    try {
      int n = Integer.parseInt(need("--nodes", value));
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail("--nodes takes a whole number of at least 1, not '" + value + "'");
    return 0;
  }

  private static String need(String option, String value) {
    if (value == null) {
      fail(option + " needs a value");
    }
    return value;
  }

  private static void fail(String message) {
    System.err.println("minicluster: " + message);
    System.exit(2);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("minicluster: could not delete " + root + ": " + e);
    }
  }
}
