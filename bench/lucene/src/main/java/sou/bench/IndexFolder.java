package sou.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.icu.segmentation.ICUTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;

/**
 * Indexes every .txt file under a folder as one Lucene document, the way bench/indexing.py compares engines.
 *
 * <p>Usage: {@code IndexFolder icu|cjk FOLDER INDEX_DIR [THREADS]}. Each document has its path as a stored,
 * unanalyzed {@code id} and its text as {@code body}, analyzed (with frequencies and positions, Lucene's default)
 * and stored (as sou stores text for its snippets). The writer is set up as for a one-off bulk build, like the
 * peers of ../shared/eval/README.md: a new index, a 256 MB RAM buffer, then commit and {@code forceMerge(1)}
 * (no compound files).
 * THREADS (default 1, as in the eval) is how many threads call addDocument. Analyzers: {@code icu} is
 * ICUTokenizer (ICU's dictionary-based word breaks, root locale) with lower-casing; {@code cjk} is the stock
 * CJKAnalyzer (width folding, lower-casing, overlapping CJK bigrams, English stop words).
 *
 * <p>Prints one JSON line: documents, text bytes, and seconds spent adding (reading, analyzing, flushing),
 * merging (commit, forceMerge, close) and in all (from the start of main, so without the JVM's own start).
 */
public final class IndexFolder {
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    if (args.length < 3) {
      System.err.println("usage: IndexFolder icu|cjk FOLDER INDEX_DIR [THREADS]");
      System.exit(2);
    }
    Analyzer analyzer = analyzer(args[0]);
    Path folder = Paths.get(args[1]);
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(p -> p.toString().endsWith(".txt") && Files.isRegularFile(p))
          .sorted()
          .collect(Collectors.toList());
    }

    IndexWriterConfig config = new IndexWriterConfig(analyzer)
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
        .setRAMBufferSizeMB(256)
        // Files per structure (.fdt, .doc, .pos, .tim, …) rather than one .cfs, so that bench/indexing.py can
        // show where the bytes go; the same bytes either way.
        .setUseCompoundFile(false);
    config.getMergePolicy().setNoCFSRatio(0.0);
    long textBytes = 0;
    long t1;
    try (FSDirectory dir = FSDirectory.open(Paths.get(args[2]));
        IndexWriter writer = new IndexWriter(dir, config)) {
      // Thread k adds files k, k + threads, k + 2 * threads, …; each returns the bytes it read.
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Long>> parts = new java.util.ArrayList<>();
      for (int k = 0; k < threads; k++) {
        final int first = k;
        parts.add(pool.submit(() -> {
          long bytes = 0;
          for (int i = first; i < files.size(); i += threads) {
            Path p = files.get(i);
            String text = Files.readString(p);
            bytes += Files.size(p);
            Document doc = new Document();
            doc.add(new StringField("id", folder.relativize(p).toString(), Field.Store.YES));
            doc.add(new TextField("body", text, Field.Store.YES));
            writer.addDocument(doc);
          }
          return bytes;
        }));
      }
      for (Future<Long> f : parts) {
        textBytes += f.get();
      }
      pool.shutdown();
      t1 = System.nanoTime();
      writer.commit();
      writer.forceMerge(1);
      writer.commit();
    }
    long t2 = System.nanoTime();
    System.out.printf(
        "{\"analyzer\": \"%s\", \"threads\": %d, \"docs\": %d, \"text_bytes\": %d, "
            + "\"add_s\": %.3f, \"merge_s\": %.3f, \"total_s\": %.3f}%n",
        args[0], threads, files.size(), textBytes, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9);
  }

  private static Analyzer analyzer(String name) {
    switch (name) {
      case "icu":
        return new Analyzer() {
          @Override
          protected TokenStreamComponents createComponents(String field) {
            Tokenizer tokenizer = new ICUTokenizer();
            return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
          }
        };
      case "cjk":
        return new CJKAnalyzer();
      default:
        throw new IllegalArgumentException("analyzer must be icu or cjk, not " + name);
    }
  }
}
