"""Scratch: reader probability vs correctness on SQuAD fit quarter top sentences."""
import sys, json, numpy as np
sys.path.insert(0, '.')
from pathlib import Path
from benchmarks.fit_selector import fit_corpus
from qa.engine import QA
from qa.config import Settings
from qa.evaluate import exact_match, f1_score, contains_answer
from qa import reader as reader_mod
from qa.span import short_answer
from qa import select
corpus, labelled = fit_corpus(Path('benchmarks/out/fit'))
qs = [q for q in labelled if q.answerable][:int(sys.argv[1])]
eng = QA(corpus, Path('benchmarks/out/fit/index'), Settings(rerank_top=0))
rd = reader_mod.Reader(Path(sys.argv[2]))
idx = eng.index
vecs = eng.encoder.encode([q.question for q in qs])
rows = []
for q, v in zip(qs, vecs):
    sq, c = eng.candidates(idx, q.question, v)
    sc = select.rank(idx, sq, c, eng.selector)
    sent = idx.sentence_text(int(sc.sentences[0]))
    sp = rd.read(q.question, [sent])[0]
    pred = sent[sp.start:sp.end] if sp else None
    rs = short_answer(q.question, sq.kind, sent, set(sq.stems))
    rule = sent[rs[0]:rs[1]] if rs else None
    rows.append((sp.probability if sp else 0, exact_match(pred, q.answers), f1_score(pred, q.answers), exact_match(rule, q.answers), f1_score(rule, q.answers), contains_answer(sent, q.answers)))
r = np.array(rows)
print("n", len(r), "sentence right", r[:,5].mean())
print("reader EM/F1 all", r[:,1].mean(), r[:,2].mean(), " rules", r[:,3].mean(), r[:,4].mean())
for t in (0, .05, .1, .2, .3, .4, .5, .6, .7):
    a = r[:,0] >= t
    mix_f1 = np.where(a, r[:,2], r[:,4]).mean(); mix_em = np.where(a, r[:,1], r[:,3]).mean()
    print(f"t={t}: answered {a.mean():.2f} EM-prec {r[a,1].mean():.3f} F1-prec {r[a,2].mean():.3f} | reader-only EM {np.where(a,r[:,1],0).mean():.3f} F1 {np.where(a,r[:,2],0).mean():.3f} | +rules EM {mix_em:.3f} F1 {mix_f1:.3f}")
