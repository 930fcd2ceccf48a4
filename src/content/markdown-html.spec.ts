import { markdownToSafeHtml } from './markdown-html';

describe('markdownToSafeHtml', () => {
  it('renders the Markdown a module uses: emphasis, code, lists, tables, links', () => {
    const html = markdownToSafeHtml(
      'Enable **CloudTrail** in `us-east-1`:\n\n1. Open the console\n2. Create a trail\n\n' +
        '| Service | Logs |\n| --- | --- |\n| S3 | yes |\n\nSee [the guide](https://docs.aws.amazon.com/).',
    );
    expect(html).toContain('<strong>CloudTrail</strong>');
    expect(html).toContain('<code>us-east-1</code>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<table>');
    expect(html).toContain('<a href="https://docs.aws.amazon.com/">the guide</a>');
  });

  it('never passes script through: raw HTML is dropped, dangerous URLs emptied, text stays text', () => {
    const html = markdownToSafeHtml(
      'Hello <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 1">\n\n' +
        '<iframe src="https://evil.example"></iframe>\n\n' +
        '[click](javascript:window.__pwned=1) ![x](javascript:alert(1))\n\n' +
        'A literal &lt;b&gt; and 3 < 4 & 5 > 2',
    );
    expect(html).not.toMatch(/<script|<img[^>]*onerror|<iframe|javascript:/i);
    expect(html).not.toContain('__pwned = 1</script');
    expect(html).toContain('&#x3C;b>');
    expect(html).toContain('3 &#x3C; 4 &#x26; 5 > 2');
  });

  it('gives nothing for no text', () => {
    expect(markdownToSafeHtml('')).toBe('');
  });
});
