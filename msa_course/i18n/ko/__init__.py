"""The Korean catalogue: one YAML file per area (common.yaml, NN_chapter.yaml), English text
as the key; grading.yaml and workshop.yaml are keyed like their modules' messages.py."""
