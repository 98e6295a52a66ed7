"""Writing sections back as ini text."""


def dump(sections, sort_keys=False):
    out = []
    for name, section in sections.items():
        if out:
            out.append("")
        out.append("[%s]" % name)
        keys = list(section.values)
        if sort_keys:
            keys.sort()
        for key in keys:
            out.append("%s = %s" % (key, section.values[key]))
    return "\n".join(out) + "\n"
