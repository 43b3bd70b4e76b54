// Makes navigator.language a tag Intl accepts before any library reads it: some browsers report
// the POSIX locale (`en-US@posix`, `de_DE.UTF-8`), and uPlot's `new Intl.NumberFormat(navigator.language)`
// throws on those as it loads. Imported first by main.ts. Not for: translating the page.

/** `tag` if Intl takes it; else its language part in BCP 47 form; else 'en-US'. */
export function usableLanguage(tag: string): string {
  for (const candidate of [tag, tag.split(/[@.]/)[0].replace(/_/g, '-')]) {
    try {
      if (candidate && Intl.getCanonicalLocales(candidate).length) return candidate;
    } catch {
      // not a BCP 47 tag: try the next candidate
    }
  }
  return 'en-US';
}

const language = usableLanguage(navigator.language ?? '');
if (language !== navigator.language) Object.defineProperty(navigator, 'language', { value: language, configurable: true });
