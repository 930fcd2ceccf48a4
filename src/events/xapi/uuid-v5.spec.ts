import { uuidV5 } from './uuid-v5';

describe('uuidV5', () => {
  it('gives the RFC’s example (www.example.com in the DNS namespace)', () => {
    // RFC 9562 Appendix A.4.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('is the same for the same name and namespace, and differs for another name', () => {
    const namespace = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(uuidV5('answered:a', namespace)).toBe(uuidV5('answered:a', namespace));
    expect(uuidV5('answered:a', namespace)).not.toBe(uuidV5('answered:b', namespace));
  });
});
