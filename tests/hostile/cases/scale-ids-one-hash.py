# Unit ids that all hash alike under 32-bit FNV-1a (kaoping's unit index
# before its hash got a per-process start): Joux's multicollisions, one
# colliding pair of 4-character blocks after another, 2^k ids.
import random, sys
k = int(sys.argv[1])
rnd = random.Random(7)
abc = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
def step(h, blk):
    for c in blk:
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h
h = step(2166136261, b"U")
pairs = []
for _ in range(k):
    seen = {}
    while True:
        blk = bytes(rnd.choice(abc) for _ in range(4))
        s = step(h, blk)
        if s in seen and seen[s] != blk:
            pairs.append((seen[s], blk)); h = s; break
        seen[s] = blk
out = sys.stdout.buffer
out.write(b"unit_id,name,category,i01,i02,i11,i19,i20\n")
for n in range(2 ** k):
    uid = b"U" + b"".join(pairs[i][(n >> i) & 1] for i in range(k))
    out.write(uid + b",x,dept,0.9,0.5,10,0,0\n")
