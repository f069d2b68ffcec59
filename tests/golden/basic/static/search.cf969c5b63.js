/* digestgen search: runs over the prebuilt index (static/search-index.*.js and the shards it
   names); loads only the shards a query needs with <script> tags, so it works on any static
   host, under any subpath and from disk. No other requests, no server. */
(function () {
  "use strict";
  var manifest = window.DIGESTGEN_SEARCH;
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var input = document.getElementById("search-page-q");
  if (!manifest || !list || !status || !input) return;
  var root = list.getAttribute("data-root") || "";
  // Word lists are looked up with own(): a plain object also "has" what every object
  // inherits, and "constructor" was a stop word, "constructors" a broken search.
  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  var stop = {};
  manifest.stop.forEach(function (w) { stop[w] = true; });
  var MAX = 50;
  // What the page says, in the site's language: search.html puts the translations in
  // data-messages. A count picks its plural form by the browser's rules for <html lang>.
  var messages = {
    unavailable: "Search is unavailable: its index could not be loaded.",
    short: "Type a longer word to search.",
    common: "“%(query)s” holds only words too common to search for: add one that says more.",
    more: "Show more results",
    searching: "Searching…",
    story: "Story",
    none: "No results for “%(query)s”.",
    found: { one: "%(num)s result for “%(query)s”.", other: "%(num)s results for “%(query)s”." },
    found_best: { one: "%(num)s result for “%(query)s”, showing the best %(best)s.",
                  other: "%(num)s results for “%(query)s”, showing the best %(best)s." }
  };
  try {
    var given = JSON.parse(list.getAttribute("data-messages") || "{}");
    Object.keys(given).forEach(function (key) { messages[key] = given[key]; });
  } catch (e) { /* a theme's own search page without translations: English */ }
  var plurals = null;
  try { plurals = new Intl.PluralRules(document.documentElement.lang || "en"); } catch (e) { plurals = null; }
  function say(key, values) {
    var text = messages[key];
    values = values || {};
    if (text && typeof text === "object") {
      var n = values.num, rules = plurals;
      if (text.counted_as) {  // words left in English count as English does
        try { rules = new Intl.PluralRules(text.counted_as); } catch (e) { rules = null; }
      }
      text = text[rules ? rules.select(n) : (n === 1 ? "one" : "other")] || text.other;
    }
    return String(text).replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  var loaded = { docs: {}, terms: {}, titles: {} };
  var waiting = {};

  window.DIGESTGEN_SEARCH_LOADED = function (kind, key, data) {
    loaded[kind][key] = data;
    var callbacks = waiting[kind + ":" + key] || [];
    delete waiting[kind + ":" + key];
    callbacks.forEach(function (cb) { cb(); });
  };
  function load(kind, key, path, done) {
    if (own(loaded[kind], key)) { done(); return; }
    var id = kind + ":" + key;
    if (waiting[id]) { waiting[id].push(done); return; }
    waiting[id] = [done];
    var script = document.createElement("script");
    script.src = root + path;
    script.onerror = function () { status.textContent = say("unavailable"); };
    document.head.appendChild(script);
  }
  function loadAll(jobs, done) {
    var left = jobs.length;
    if (!left) { done(); return; }
    jobs.forEach(function (job) { load(job[0], job[1], job[2], function () { if (--left === 0) done(); }); });
  }

  // The index's words (search.py's words()): letters, marks and numbers in any script,
  // accents folded; in scripts written without spaces, pairs of characters (UNSPACED is
  // digestgen/_scripts.py's list). A query takes its pairs side by side ("台湾地震": 台湾,
  // 地震), not overlapping: its words need not stand together in an article.
  var DIACRITICS = /[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  var ASTRAL_SEPARATORS = /[\u{10000}-\u{1ffff}\u{40000}-\u{10ffff}]/gu;
  var UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u31ff" +
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff";
  var UNSPACED_RUNS = new RegExp("([" + UNSPACED + "]+)");
  // One word of what would be several (search.py's _joined): an apostrophe inside a word
  // ("don't" is "dont"; a possessive's 's goes), an abbreviation's dots ("U.S." is "us") and a
  // number's point or comma ("7.4" is "74").
  var APOSTROPHE = /['\u2019](?<=[\p{L}\p{M}\p{N}]['\u2019])(?:s(?![\p{L}\p{M}\p{N}])|(?=[\p{L}\p{M}\p{N}]))/gu;
  var NUMBER_POINT = /[.,](?<=[0-9][.,])(?=[0-9])/g;
  var ABBREVIATION_DOT = /\.(?<=\b[a-z]\.)(?=[a-z]\b)/g;  // a dot between single letters
  // letters with a mark of their own, as written without it (search.py's _PLAIN_LETTERS)
  var PLAIN_LETTERS = { "ß": "ss", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th",
                        "ð": "d", "ħ": "h", "ŋ": "ng" };
  var PLAIN_LETTER = /[ßıøæœđłþðħŋ]/g;
  function plainLetter(letter) { return PLAIN_LETTERS[letter]; }
  function joined(text) {
    return text.replace(APOSTROPHE, "").replace(NUMBER_POINT, "").replace(ABBREVIATION_DOT, "");
  }
  function words(text, query) {
    var folded = joined(text.normalize("NFKD").replace(DIACRITICS, "").toLowerCase().replace(PLAIN_LETTER, plainLetter))
      .replace(ASTRAL_SEPARATORS, " ");
    var found = folded.match(/[\p{L}\p{M}\p{N}\u{20000}-\u{3ffff}]+/gu) || [];
    var out = [];
    found.forEach(function (word) {
      word.split(UNSPACED_RUNS).forEach(function (part, i) {
        if (i % 2 === 0) { if (part) out.push(part); return; }
        if (part.length < 2) { out.push(part); return; }
        for (var at = 0; at < part.length - 1; at += query ? 2 : 1) out.push(part.substr(at, 2));
        if (query && part.length % 2) out.push(part.substr(part.length - 2));
      });
    });
    return out;
  }
  function shardOf(word) {  // digestgen/search.py's shard_of
    var first = word.codePointAt(0);
    if (first >= 128) return "u" + ("0" + (first % 64).toString(16)).slice(-2);
    return manifest.depth > 1 && word.length > 1 && word.charCodeAt(1) < 128 ? word.slice(0, 2) : word.charAt(0);
  }
  function shardFor(word, kind) {
    var key = shardOf(word);
    return own(loaded[kind], key) ? loaded[kind][key] : {};
  }
  function decode(deltas, into) {
    var n = 0;
    for (var i = 0; i < deltas.length; i++) { n += deltas[i]; into[n] = true; }
  }
  function docsFor(word, kind) {
    // The exact word, or any indexed word it begins (from three letters): "elect" finds "election".
    var found = {}, shard = shardFor(word, kind);
    if (own(shard, word)) decode(shard[word], found);
    if (word.length >= 3) {
      Object.keys(shard).forEach(function (t) {
        if (t !== word && t.lastIndexOf(word, 0) === 0) decode(shard[t], found);
      });
    }
    return found;
  }
  // On an English site a plural also finds its singular ("earthquakes" finds "earthquake",
  // "cities" "city"), as a singular already finds its plural by prefix. The singular is
  // matched whole: "cases" finds "case", not "cash". Other languages' plurals are not guessed.
  var ENGLISH = /^en(-|$)/i.test(document.documentElement.lang || "");
  var NOT_PLURAL = { news: true, means: true, series: true, species: true };
  function singular(word) {
    if (!ENGLISH || word.length < 4 || own(NOT_PLURAL, word) || !/^[a-z]+s$/.test(word) || /(ss|us|is)$/.test(word)) return null;
    if (/ies$/.test(word)) return word.slice(0, -3) + "y";
    if (/(x|ch|sh|ss)es$/.test(word)) return word.slice(0, -2);
    return word.slice(0, -1);
  }
  // And a singular finds its plural in -ies, which its prefix misses: "city" finds "cities".
  function pluralStem(word) {
    return ENGLISH && word.length >= 3 && /[^aeiouy]y$/.test(word) ? word.slice(0, -1) + "ies" : null;
  }
  function docsForEither(word, kind) {  // kind: "terms" (every word of a document) or "titles"
    var found = docsFor(word, kind), one = singular(word), many = pluralStem(word), shard = shardFor(word, kind);
    if (one && own(shard, one)) decode(shard[one], found);
    if (many && own(shard, many)) decode(shard[many], found);
    return found;
  }
  function docsExactly(word, kind) {  // the word itself, or its singular or plural: no longer words it begins
    var found = {}, shard = shardFor(word, kind);
    [word, singular(word), pluralStem(word)].forEach(function (w) { if (w && own(shard, w)) decode(shard[w], found); });
    return found;
  }
  function doc(id) {
    return loaded.docs[String(Math.floor(id / manifest.chunk))][id % manifest.chunk];
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function terms(query) {
    return words(query, true).filter(function (w) { return !own(stop, w) && w.length > 1; });
  }
  // A result's title and snippet with the words the query found marked (<mark>), as the
  // search finds them: whole, begun from three letters, or as a plural's singular. Built as
  // text nodes, never as HTML: they are the articles' own text. Words in scripts written
  // without spaces are found by pairs of characters, so they are left unmarked.
  var TOKEN = /[\p{L}\p{M}\p{N}]+(?:['\u2019.,][\p{L}\p{M}\p{N}]+)*/gu;  // "don't", "U.S", "7.4": one word each
  function found(token, q) {
    var folded = words(token, false);
    return folded.length === 1 && !UNSPACED_RUNS.test(folded[0]) && q.some(function (w) {
      return folded[0] === w || (w.length >= 3 && folded[0].lastIndexOf(w, 0) === 0) || singular(w) === folded[0]
        || pluralStem(w) === folded[0];
    });
  }
  function marked(into, text, q) {
    var at = 0;
    text.replace(TOKEN, function (token, offset) {
      if (found(token, q)) {
        if (offset > at) into.appendChild(document.createTextNode(text.slice(at, offset)));
        into.appendChild(el("mark", null, token));
        at = offset + token.length;
      }
      return token;
    });
    if (at < text.length) into.appendChild(document.createTextNode(text.slice(at)));
    return into;
  }

  var generation = 0;
  function show(query) {
    var mine = ++generation;
    dropMore();
    var q = terms(query);
    if (!q.length) {
      list.textContent = "";
      // words of two letters and more that are all stop words: a longer word would not help
      var common = words(query, true).some(function (w) { return w.length > 1; });
      status.textContent = query ? say(common ? "common" : "short", { query: query.trim() }) : "";
      return;
    }
    var shards = [];
    q.forEach(function (w) {
      var key = shardOf(w);
      ["terms", "titles"].forEach(function (kind) {
        if (manifest[kind] && manifest[kind][key]) shards.push([kind, key, manifest[kind][key]]);
      });
    });
    status.textContent = say("searching");
    loadAll(shards, function () {
      if (mine !== generation) return;
      var hits = null;
      q.forEach(function (w) {
        var set = docsForEither(w, "terms");
        if (hits === null) { hits = set; return; }
        var both = {};
        Object.keys(hits).forEach(function (d) { if (set[d]) both[d] = true; });
        hits = both;
      });
      // Rank every hit: more of the query's words in its title first, a word itself counting
      // twice what a longer word it begins counts ("war" ranks "War on…" above "warns"), then
      // newest (the digest's order; documents are numbered oldest first, see search.py).
      // Titles are listed as words are, so ranking loads no document: only the chunks of the
      // results shown are loaded.
      var inTitle = q.map(function (w) { return docsForEither(w, "titles"); });
      var exactlyInTitle = q.map(function (w) { return docsExactly(w, "titles"); });
      var score = {};
      var ids = Object.keys(hits).map(Number);
      ids.forEach(function (id) {
        score[id] = inTitle.filter(function (set) { return set[id]; }).length
          + exactlyInTitle.filter(function (set) { return set[id]; }).length;
      });
      ids.sort(function (a, b) { return score[b] - score[a] || b - a; });
      list.textContent = "";
      more(query, ids, 0, mine);
    });
  }
  // The ranked results from ``from`` on, MAX at a time (loading only the chunks that hold
  // them), with a button for the next MAX while there are more.
  function more(query, ids, from, mine) {
    var shown = ids.slice(from, from + MAX);
    var needed = {};
    shown.forEach(function (id) { needed[Math.floor(id / manifest.chunk)] = true; });
    var jobs = Object.keys(needed).map(function (c) { return ["docs", c, manifest.docs[Number(c)]]; });
    loadAll(jobs, function () {
      if (mine !== generation) return;
      render(query, ids.length, shown, from + shown.length);
      dropMore();
      // Asked for by the button, which is gone now: focus goes to the first new result, where
      // a keyboard or screen reader user reads on (else it fell back to the page's start).
      var first = from > 0 && list.children[from] && list.children[from].querySelector("a");
      if (first) first.focus();
      if (from + shown.length < ids.length) {
        var button = el("button", "search-more", say("more"));
        button.id = "search-more";
        button.type = "button";
        button.addEventListener("click", function () { more(query, ids, from + MAX, mine); });
        list.parentNode.insertBefore(button, list.nextSibling);
      }
    });
  }
  function dropMore() {
    var button = document.getElementById("search-more");
    if (button) button.parentNode.removeChild(button);
  }
  function render(query, total, ids, upTo) {
    var q = terms(query);
    status.textContent = total === 0 ? say("none", { query: query })
      : say(total > upTo ? "found_best" : "found", { num: total, query: query, best: upTo });
    ids.forEach(function (id) {
      var d = doc(id);
      var li = el("li", "search-result " + (d[0] === "s" ? "is-story" : "is-article"));
      var h = el("h2");
      if (d[0] === "s") h.appendChild(el("span", "result-kind", say("story") + " · "));
      var a = marked(el("a"), d[2], q);
      a.href = root + d[1];
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(el("p", "meta", d[3]));
      var snippet = d[4] ? marked(el("p", "snippet"), d[4], q) : null;
      if (snippet) li.appendChild(snippet);
      if (d[5]) {  // a title (and snippet) in another language than the site's: mark it, as pages do
        a.lang = d[5];
        a.dir = "auto";
        if (snippet && d[0] === "a") { snippet.lang = d[5]; snippet.dir = "auto"; }
      }
      list.appendChild(li);
    });
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  var header = document.getElementById("site-search");
  if (header) header.value = initial;
  show(initial.trim());
  var timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = input.value.trim();
      show(query);
      if (header) header.value = input.value;
      // The address follows the query, so Back, Reload and a shared link show these results.
      try {
        history.replaceState(null, "", window.location.pathname + (query ? "?q=" + encodeURIComponent(query) : ""));
      } catch (e) { /* some browsers refuse it for pages opened from disk */ }
    }, 150);
  });
})();
