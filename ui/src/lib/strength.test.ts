import { describe, expect, it } from "vitest";
import { strength } from "./strength";

describe("passphrase strength", () => {
  it("is too short below the minimum, and says how many more", () => {
    const s = strength("abc", 10);
    expect(s.level).toBe(0);
    expect(s.label).toBe("Too short");
    expect(s.advice).toContain("7 more");
  });

  it("counts characters, not UTF-16 units", () => {
    expect(strength("🔒🔒🔒🔒🔒", 10).level).toBe(0);
  });

  it("calls repeated and common passwords weak", () => {
    expect(strength("aaaaaaaaaaaa", 10).level).toBe(1);
    expect(strength("password1234", 10).level).toBe(1);
    expect(strength("password1234", 10).advice).toMatch(/common password/);
    expect(strength("abcdefghijkl", 10).level).toBe(1);
  });

  it("rates random words by the word, not the letter", () => {
    const four = strength("correct horse battery staple", 10);
    expect(four.level).toBe(2);
    const six = strength("correct horse battery staple orbit lantern", 10);
    expect(six.level).toBe(3);
    const eight = strength("correct horse battery staple orbit lantern fjord mosaic", 10);
    expect(eight.level).toBe(4);
  });

  it("rates long random strings strong", () => {
    expect(strength("T7#kq9!vX2$mLp4w", 10).level).toBe(4);
  });

  it("grows with length", () => {
    const levels = ["Tq7!kx9#Lm", "Tq7!kx9#Lm2$", "Tq7!kx9#Lm2$vB8&"].map((p) => strength(p, 10).bits);
    expect(levels[0]!).toBeLessThan(levels[1]!);
    expect(levels[1]!).toBeLessThan(levels[2]!);
  });
});
